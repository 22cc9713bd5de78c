using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HaiPay.Client;
using HaiPay.Signing;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>
/// A sandbox on a free loopback port plus the product's real <see cref="IHaiPayClient"/> configured from its
/// <see cref="SandboxApp.ToProductConfiguration"/>, and a raw HTTP client for the wire and the control API.
/// </summary>
internal sealed class SandboxHarness : IAsyncDisposable
{
    private readonly ProductClient _product;

    private SandboxHarness(SandboxApp sandbox, ProductClient product)
    {
        Sandbox = sandbox;
        _product = product;
        Client = product.Client;
        Http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = sandbox.BaseUrl };
    }

    public SandboxApp Sandbox { get; }
    public IHaiPayClient Client { get; }
    public HttpClient Http { get; }
    public SandboxState State => Sandbox.State;

    /// <param name="configure">Sandbox options (keys are preset to the run's test keys).</param>
    /// <param name="clientOverrides">Product settings over the sandbox's, e.g. a short HaiPay:AttemptTimeout.</param>
    public static async Task<SandboxHarness> StartAsync(
        Action<SandboxOptions>? configure = null, IReadOnlyDictionary<string, string?>? clientOverrides = null)
    {
        var sandbox = await SandboxApp.StartAsync(options =>
        {
            options.MerchantPrivateKey = TestKeys.MerchantPrivateKey;
            options.PlatformPrivateKey = TestKeys.PlatformPrivateKey;
            configure?.Invoke(options);
        });
        return new SandboxHarness(sandbox, new ProductClient(sandbox, clientOverrides));
    }

    public long AppId(Currency currency) => Sandbox.Merchant.Credentials[currency].AppId;

    public string SecretKey(Currency currency) => Sandbox.Merchant.Credentials[currency].SecretKey;

    public SignatureOptions Signature => new() { SkipEmptyValues = Sandbox.Merchant.SkipEmptyValues, AppendKey = Sandbox.Merchant.AppendKey };

    /// <summary>Posts flat fields signed as a merchant would (or with another key), and returns the parsed envelope.</summary>
    public async Task<JsonElement> PostSignedAsync(
        string path, Currency signingCurrency, IReadOnlyDictionary<string, string?> fields, string? privateKey = null)
    {
        using var key = RsaKeys.LoadPrivateKey(privateKey ?? Sandbox.Merchant.Credentials[signingCurrency].MerchantPrivateKey);
        var present = fields.Where(f => f.Value is not null).ToDictionary(f => f.Key, f => f.Value);
        present["sign"] = new HaiPaySigner(Signature).Sign(present, SecretKey(signingCurrency), key);
        return await PostRawAsync(path, JsonSerializer.Serialize(present));
    }

    public async Task<JsonElement> PostRawAsync(string path, string body)
    {
        using var response = await Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>())!;
    }

    public async Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, OrderBehaviour? behaviour = null)
    {
        if (behaviour is not null)
        {
            State.SetBehaviour(request.OrderId, behaviour);
        }
        return await Client.ApplyAsync(currency, request);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _product.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
