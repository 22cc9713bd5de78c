using System.Collections.Concurrent;
using HaiPay.Callbacks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaiPay.Sandbox.Tests.Support;

/// <summary>One callback as the merchant received it: every field, exactly as sent.</summary>
internal sealed record ReceivedCallback(IReadOnlyDictionary<string, string?> Fields, string Body, string? ContentType)
{
    public string OrderId => Fields["orderId"]!;
    public string Status => Fields["status"]!;
}

/// <summary>
/// The merchant side on a loopback port: <c>POST /notify</c> records callbacks and answers <c>SUCCESS</c> (after
/// failing the first N of each order when asked to), <c>GET /paid</c> and <c>GET /failed</c> are the pages the
/// customer's browser is sent back to.
/// </summary>
internal sealed class CallbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedCallback> _received = new();
    private readonly ConcurrentDictionary<string, int> _failuresLeft = new(StringComparer.Ordinal);

    private readonly string _answer;

    private CallbackReceiver(WebApplication app, string answer)
    {
        _app = app;
        _answer = answer;
    }

    public Uri BaseUrl { get; private set; } = null!;
    public string NotifyUrl => new Uri(BaseUrl, "notify").ToString();
    public string PaidUrl(string orderId) => new Uri(BaseUrl, $"paid?order={orderId}").ToString();
    public string FailedUrl(string orderId) => new Uri(BaseUrl, $"failed?order={orderId}").ToString();

    /// <param name="answer">The body of the HTTP 200 answer; only exactly <c>SUCCESS</c> acknowledges.</param>
    public static async Task<CallbackReceiver> StartAsync(string answer = "SUCCESS")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new CallbackReceiver(app, answer);
        app.MapPost("/notify", receiver.NotifyAsync);
        app.MapGet("/paid", () => Results.Content("<!DOCTYPE html><title>Paid</title><h1 id=\"result\">Thank you, paid</h1>", "text/html"));
        app.MapGet("/failed", () => Results.Content("<!DOCTYPE html><title>Failed</title><h1 id=\"result\">Payment failed</h1>", "text/html"));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.BaseUrl = new Uri(address + "/");
        return receiver;
    }

    /// <summary>The next <paramref name="count"/> deliveries for this order are answered HTTP 500.</summary>
    public void FailFirst(string orderId, int count) => _failuresLeft[orderId] = count;

    /// <summary>Every callback received, in arrival order.</summary>
    public IReadOnlyList<ReceivedCallback> All => _received.ToList();

    public IReadOnlyList<ReceivedCallback> For(string orderId) => _received.Where(c => c.OrderId == orderId).ToList();

    public Task<IReadOnlyList<ReceivedCallback>> WaitForAsync(string orderId, int count) =>
        Eventually.Until(() => For(orderId), c => c.Count >= count, $"{count} callback(s) for {orderId}");

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> NotifyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync();
        var fields = CallbackParser.Parse(body, request.ContentType);
        var callback = new ReceivedCallback(fields, body, request.ContentType);
        _received.Enqueue(callback);
        if (_failuresLeft.TryGetValue(callback.OrderId, out var left) && left > 0)
        {
            _failuresLeft[callback.OrderId] = left - 1;
            return Results.Text("try again", statusCode: 500);
        }
        return Results.Text(_answer, "text/plain");
    }
}
