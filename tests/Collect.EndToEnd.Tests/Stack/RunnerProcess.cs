using TestSupport;

namespace Collect.EndToEnd;

/// <summary>
/// The local runner as its own process, on a loopback port that stays the same across restarts (HaiPay's orders carry
/// the notify URL). <see cref="Kill"/> is SIGKILL; <see cref="StartAsync"/> starts it again with the same settings
/// (and so the same Durable Task WorkerId, which lets it reclaim its partitions at once).
/// </summary>
public sealed class RunnerProcess : IDisposable
{
    private readonly IReadOnlyDictionary<string, string> _settings;
    private readonly List<ChildProcess> _runs = [];
    private readonly HttpClient _health = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <param name="settings">
    /// Configuration passed on the command line (<c>--Key value</c>), besides <c>--urls</c> and, unless given,
    /// <c>Collect:NotifyUrl</c> (this runner's own webhook).
    /// </param>
    public RunnerProcess(IReadOnlyDictionary<string, string> settings)
    {
        _settings = settings;
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
    }

    /// <summary>e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The product's webhook as HaiPay calls it.</summary>
    public Uri NotifyUrl => new(BaseUrl, "api/haipay/notify");

    /// <summary>Every process started so far (one per start), the current one last.</summary>
    public IReadOnlyList<ChildProcess> Runs => _runs;

    /// <summary>Starts the runner and waits until <c>/healthz</c> answers.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_runs.Count > 0 && !_runs[^1].HasExited)
        {
            throw new InvalidOperationException("The runner is already running.");
        }
        var arguments = new List<string> { "--urls", BaseUrl.ToString().TrimEnd('/') };
        if (!_settings.ContainsKey("Collect:NotifyUrl"))
        {
            arguments.AddRange(["--Collect:NotifyUrl", NotifyUrl.ToString()]);
        }
        foreach (var (key, value) in _settings)
        {
            arguments.Add("--" + key);
            arguments.Add(value);
        }
        var run = ChildProcess.StartDotnet(_runs.Count == 0 ? "runner" : $"runner#{_runs.Count + 1}", BuiltApp.LocalRunner, arguments);
        _runs.Add(run);
        while (true)
        {
            if (run.HasExited)
            {
                throw new InvalidOperationException($"The local runner exited with code {run.ExitCode}:\n{run.OutputSince()}");
            }
            try
            {
                using var response = await _health.GetAsync(new Uri(BaseUrl, "healthz"), cancellationToken);
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
