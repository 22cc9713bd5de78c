using Azure;
using Azure.Security.KeyVault.Secrets;
using Collect.Core.Events;
using Collect.Core.Tests.Support;
using Moq;

namespace Collect.Core.Tests.Events;

public sealed class StorefrontSecretsTests
{
    private readonly Mock<SecretClient> _vault = new(MockBehavior.Strict);
    private readonly ManualTime _time = new();
    private readonly Dictionary<string, string> _secrets = new() { [KeyVaultStorefrontSecrets.CurrentSecret] = "whsec_a" };
    private int _reads;

    public StorefrontSecretsTests()
    {
        _vault.Setup(v => v.GetSecretAsync(It.IsAny<string>(), null, null, It.IsAny<CancellationToken>()))
            .ReturnsAsync((string name, string? _, SecretContentType? _, CancellationToken _) =>
            {
                Interlocked.Increment(ref _reads);
                return _secrets.TryGetValue(name, out var value)
                    ? Response.FromValue(new KeyVaultSecret(name, value), Mock.Of<Response>())
                    : throw new RequestFailedException(404, "SecretNotFound");
            });
    }

    private KeyVaultStorefrontSecrets Source() => new(_vault.Object,
        Microsoft.Extensions.Options.Options.Create(new CollectOptions { KeyCacheTtl = TimeSpan.FromMinutes(10) }), _time);

    [Fact]
    public async Task The_current_secret_signs_and_a_missing_previous_one_is_no_error()
    {
        var source = Source();

        Assert.Equal(["whsec_a"], await source.GetAsync());
        Assert.Equal(["whsec_a"], await source.GetAsync());
        Assert.Equal(2, _reads);
    }

    [Fact]
    public async Task During_a_rotation_both_sign_and_a_change_is_picked_up_after_the_cache_time()
    {
        var source = Source();
        await source.GetAsync();
        _secrets[KeyVaultStorefrontSecrets.CurrentSecret] = "whsec_b";
        _secrets[KeyVaultStorefrontSecrets.PreviousSecret] = "whsec_a";

        Assert.Equal(["whsec_a"], await source.GetAsync());
        _time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(["whsec_b", "whsec_a"], await source.GetAsync());
    }

    [Fact]
    public async Task A_vault_that_fails_is_not_taken_for_an_empty_one()
    {
        _secrets.Clear();
        var source = Source();

        await Assert.ThrowsAsync<RequestFailedException>(async () => await source.GetAsync());
    }
}
