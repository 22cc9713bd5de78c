using System.Diagnostics;
using System.Net;
using System.Text;
using TestSupport;

namespace Infra.Tests;

/// <summary>
/// scripts/smoke.sh, the pipeline's post-deploy probe, run as the pipeline runs it, against a loopback HTTP server
/// answering as a deployed app would (healthy, still warming up, or wrongly open).
/// </summary>
public sealed class SmokeScriptTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, Func<int, (int Status, string Body)>> _answers = [];
    private readonly Dictionary<string, int> _calls = [];
    private readonly Uri _baseUrl;

    public SmokeScriptTests()
    {
        _baseUrl = new Uri($"http://127.0.0.1:{FreePort.Next()}/");
        _listener.Prefixes.Add(_baseUrl.ToString());
        _listener.Start();
        _ = ServeAsync();
    }

    public void Dispose() => _listener.Close();

    private const string Healthy = """{"status":"Healthy","checks":{"storage":"Healthy","keys.HKD":"Healthy"},"checkedAt":"2026-12-03T07:00:00Z"}""";
    private const string Unhealthy = """{"status":"Unhealthy","checks":{"storage":"Healthy","keys.HKD":"Unhealthy"},"checkedAt":"2026-12-03T07:00:00Z"}""";

    private void AnswerLikeADeployedApp()
    {
        _answers["GET /api/health"] = _ => (200, Healthy);
        _answers["POST /api/orders"] = _ => (401, "");
        _answers["GET /api/ops/orders"] = _ => (404, """{"title":"Not found."}""");
    }

    [Fact]
    public async Task A_healthy_app_that_refuses_anonymous_callers_passes()
    {
        AnswerLikeADeployedApp();

        var (exitCode, output) = await SmokeAsync();

        Assert.True(exitCode == 0, output);
        Assert.Contains("smoke: passed", output);
        Assert.Equal(1, _calls.GetValueOrDefault("POST /api/orders"));
    }

    [Fact]
    public async Task Health_is_retried_while_the_app_warms_up()
    {
        AnswerLikeADeployedApp();
        _answers["GET /api/health"] = call => call <= 2 ? (503, Unhealthy) : (200, Healthy);

        var (exitCode, output) = await SmokeAsync();

        Assert.True(exitCode == 0, output);
        Assert.Equal(3, _calls["GET /api/health"]);
    }

    [Fact]
    public async Task An_app_that_never_reaches_its_keys_fails_the_stage()
    {
        AnswerLikeADeployedApp();
        _answers["GET /api/health"] = _ => (503, Unhealthy);

        var (exitCode, output) = await SmokeAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("never answered 200 Healthy", output);
        Assert.Equal(3, _calls["GET /api/health"]);
        Assert.False(_calls.ContainsKey("POST /api/orders"));
    }

    [Theory]
    [InlineData("POST /api/orders", 400)]
    [InlineData("GET /api/ops/orders", 200)]
    public async Task An_app_open_to_anonymous_callers_fails_the_stage(string route, int status)
    {
        AnswerLikeADeployedApp();
        _answers[route] = _ => (status, "{}");

        var (exitCode, output) = await SmokeAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains($"answered {status}", output);
    }

    [Fact]
    public async Task An_unreachable_app_fails_the_stage()
    {
        _listener.Stop();

        var (exitCode, output) = await SmokeAsync();

        Assert.NotEqual(0, exitCode);
        Assert.Contains("health 000", output);
    }

    private async Task<(int ExitCode, string Output)> SmokeAsync()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(RepositoryRoot.Combine("scripts", "smoke.sh"));
        start.ArgumentList.Add(_baseUrl.ToString());
        start.Environment["SMOKE_ATTEMPTS"] = "3";
        start.Environment["SMOKE_INTERVAL"] = "0";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var key = $"{context.Request.HttpMethod} {context.Request.Url!.AbsolutePath}";
            int call;
            lock (_calls)
            {
                call = _calls[key] = _calls.GetValueOrDefault(key) + 1;
            }
            var (status, body) = _answers.TryGetValue(key, out var answer) ? answer(call) : (404, "");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
