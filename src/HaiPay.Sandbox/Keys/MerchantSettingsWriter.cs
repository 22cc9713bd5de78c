using Microsoft.Extensions.Options;

namespace HaiPay.Sandbox.Keys;

/// <summary>
/// Once the sandbox listens, writes the merchant settings to <see cref="SandboxOptions.WriteSettingsTo"/> (when set)
/// and logs only the path: the file holds private keys, the log never does.
/// </summary>
internal sealed class MerchantSettingsWriter(
    IHostApplicationLifetime lifetime,
    IServiceProvider services,
    IOptions<SandboxOptions> options,
    ILogger<MerchantSettingsWriter> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.WriteSettingsTo;
        if (!string.IsNullOrWhiteSpace(path))
        {
            lifetime.ApplicationStarted.Register(() => Write(Path.GetFullPath(path)));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Write(string path)
    {
        var settings = services.GetRequiredService<SandboxMerchantSettings>();
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllText(path, settings.ToJson());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        logger.LogInformation("HaiPay sandbox merchant settings written to {Path} (contains private keys: keep it out of git).", path);
    }
}
