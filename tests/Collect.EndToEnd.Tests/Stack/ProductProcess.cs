using TestSupport;

namespace Collect.EndToEnd;

/// <summary>
/// The product as its own process, in the host <see cref="ProductHost.Selected"/> names (the local runner, or the
/// Functions app under Core Tools), on a loopback port that stays the same across restarts (HaiPay's orders carry the
/// notify URL). <see cref="Kill"/> is SIGKILL of the whole process tree; <see cref="StartAsync"/> starts it again with
/// the same settings (and so, for the runner, the same Durable Task WorkerId, which lets it reclaim its partitions at once).
/// </summary>
public sealed class ProductProcess : IDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly List<ChildProcess> _runs = [];
    private readonly HttpClient _health = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <param name="settings">
    /// Configuration keys (<c>Collect:Deadline</c>): the runner gets them on its command line (<c>--Key value</c>), the
    /// Functions host as environment variables; besides the port and, unless given, <c>Collect:NotifyUrl</c> (this
    /// process's own webhook).
    /// </param>
    /// <param name="host">Which host; by default the one the environment selects.</param>
    public ProductProcess(IReadOnlyDictionary<string, string> settings, ProductHostKind? host = null)
    {
        _settings = settings;
        Host = host ?? ProductHost.Selected;
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
    }

    public ProductHostKind Host { get; }

    /// <summary>e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The product's webhook as HaiPay calls it.</summary>
    public Uri NotifyUrl => new(BaseUrl, "api/haipay/notify");

    /// <summary>Every process started so far (one per start), the current one last.</summary>
    public IReadOnlyList<ChildProcess> Runs => _runs;

    /// <summary>
    /// Starts the host and waits until it answers: the runner's <c>/healthz</c>, or the Functions app's
    /// <c>/api/health</c> with 200 (its storage and keys reached, so its triggers are indexed and its worker is up).
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_runs.Count > 0 && !_runs[^1].HasExited)
        {
            throw new InvalidOperationException("The product is already running.");
        }
        var settings = new Dictionary<string, string>(_settings);
        settings.TryAdd("Collect:NotifyUrl", NotifyUrl.ToString());
        var name = (Host == ProductHostKind.Runner ? "runner" : "functions") + (_runs.Count == 0 ? "" : $"#{_runs.Count + 1}");
        var run = Host == ProductHostKind.Runner ? StartRunner(name, settings) : StartFunctions(name, settings);
        _runs.Add(run);
        var ready = new Uri(BaseUrl, Host == ProductHostKind.Runner ? "healthz" : "api/health");
        while (true)
        {
            if (run.HasExited)
            {
                throw new InvalidOperationException($"The {Host} host exited with code {run.ExitCode}:\n{run.OutputSince()}");
            }
            try
            {
                using var response = await _health.GetAsync(ready, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    private ChildProcess StartRunner(string name, Dictionary<string, string> settings)
    {
        var arguments = new List<string> { "--urls", BaseUrl.ToString().TrimEnd('/') };
        foreach (var (key, value) in settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }
        return ChildProcess.StartDotnet(name, BuiltApp.LocalRunner, arguments);
    }

    private ChildProcess StartFunctions(string name, Dictionary<string, string> settings)
    {
        var app = ProductHost.FunctionsApp;
        if (!File.Exists(Path.Combine(app, "functions.metadata")))
        {
            throw new FileNotFoundException($"{app} is not a built Functions app (no functions.metadata).");
        }
        return ChildProcess.Start(name, ProductHost.Func, app,
            ["host", "start", "--port", BaseUrl.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            ProductHost.FunctionsEnvironment(settings));
    }

    /// <summary>A graceful shutdown (SIGTERM), as Ctrl-C in run.sh; SIGKILL if it takes longer than 30 s.</summary>
    public Task StopAsync() => _runs.Count > 0 ? _runs[^1].StopAsync(TimeSpan.FromSeconds(30)) : Task.CompletedTask;

    /// <summary>SIGKILL: no graceful shutdown, nothing flushed. Waits until the process is gone.</summary>
    public void Kill()
    {
        if (_runs.Count > 0)
        {
            _runs[^1].Kill();
        }
    }

    public void Dispose()
    {
        foreach (var run in _runs)
        {
            run.Dispose();
        }
        _health.Dispose();
    }
}
