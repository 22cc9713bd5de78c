using System.Text.Json;
using TestSupport;

namespace Collect.EndToEnd;

/// <summary>
/// The HaiPay sandbox as its own process on a free loopback port. It writes the merchant settings (appIds, keys) to
/// <see cref="SettingsFile"/>, which the runner reads with <c>--SettingsFile</c>.
/// </summary>
public sealed class SandboxProcess : IDisposable
{
    private SandboxProcess(ChildProcess process, Uri baseUrl, string settingsFile, IReadOnlyDictionary<string, long> appIds)
    {
        Process = process;
        BaseUrl = baseUrl;
        SettingsFile = settingsFile;
        AppIds = appIds;
        Control = new SandboxControl(baseUrl);
    }

    public ChildProcess Process { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>: apply, query, checkout pages and the control API.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The merchant settings JSON the sandbox wrote (contains private keys; lives in a temporary folder).</summary>
    public string SettingsFile { get; }

    /// <summary>The merchant appId per currency ("HKD", "USD").</summary>
    public IReadOnlyDictionary<string, long> AppIds { get; }

    public SandboxControl Control { get; }

    /// <param name="folder">Where the settings file is written.</param>
    /// <param name="settings">Sandbox configuration (e.g. <c>Sandbox:CallbackRetryInterval</c>), passed on the command line.</param>
    /// <param name="cancellationToken">Gives up waiting for the sandbox.</param>
    public static async Task<SandboxProcess> StartAsync(string folder, IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var baseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        var settingsFile = Path.Combine(folder, "haipay.settings.json");
        var arguments = new List<string> { "--urls", baseUrl.ToString().TrimEnd('/'), "--write-settings", settingsFile };
        foreach (var (key, value) in settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }
        var process = ChildProcess.StartDotnet("sandbox", BuiltApp.Sandbox, arguments);
        try
        {
            var appIds = await WaitForSettingsAsync(process, settingsFile, cancellationToken);
            var sandbox = new SandboxProcess(process, baseUrl, settingsFile, appIds);
            await sandbox.Control.WaitUntilHealthyAsync(process, cancellationToken);
            return sandbox;
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        Control.Dispose();
        Process.Dispose();
    }

    private static long AppId(JsonElement value) => value.ValueKind == JsonValueKind.Number
        ? value.GetInt64()
        : long.Parse(value.GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The file appears once the sandbox listens; it may be read half-written, so parse until it parses.</summary>
    private static async Task<IReadOnlyDictionary<string, long>> WaitForSettingsAsync(ChildProcess process, string settingsFile, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The sandbox exited with code {process.ExitCode}:\n{process.OutputSince()}");
            }
            if (File.Exists(settingsFile))
            {
                try
                {
                    using var document = JsonDocument.Parse(await File.ReadAllTextAsync(settingsFile, cancellationToken));
                    var credentials = document.RootElement.GetProperty("HaiPay").GetProperty("Credentials");
                    return credentials.EnumerateObject().ToDictionary(
                        c => c.Name,
                        c => AppId(c.Value.GetProperty("AppId")),
                        StringComparer.OrdinalIgnoreCase);
                }
                catch (Exception e) when (e is JsonException or IOException or KeyNotFoundException)
                {
                    // Still being written.
                }
            }
            await Task.Delay(100, cancellationToken);
        }
    }
}
