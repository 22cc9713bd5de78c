using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HaiPay.Tests.Support;

/// <summary>A request the fake received.</summary>
public sealed record ReceivedRequest(string Method, string Path, string? ContentType, string Body);

/// <summary>A canned HTTP answer.</summary>
public sealed record CannedResponse(int StatusCode, string Body, string ContentType = "application/json");

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port chosen by the OS) that records every request and answers with whatever
/// the test's responder returns. The responder gets the request-aborted token so it can wait for a client to give up.
/// </summary>
public sealed class FakeHaiPay : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeHaiPay(WebApplication app, Uri baseUrl, ConcurrentQueue<ReceivedRequest> requests)
    {
        _app = app;
        BaseUrl = baseUrl;
        Requests = requests;
    }

    public Uri BaseUrl { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; }

    public static async Task<FakeHaiPay> StartAsync(Func<ReceivedRequest, CancellationToken, Task<CannedResponse>> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var requests = new ConcurrentQueue<ReceivedRequest>();
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var received = new ReceivedRequest(
                context.Request.Method, context.Request.Path.Value ?? "", context.Request.ContentType, await reader.ReadToEndAsync());
            requests.Enqueue(received);
            CannedResponse response;
            try
            {
                response = await respond(received, context.RequestAborted);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return;
            }
            context.Response.StatusCode = response.StatusCode;
            context.Response.ContentType = response.ContentType;
            await context.Response.WriteAsync(response.Body);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new FakeHaiPay(app, new Uri(address), requests);
    }

    public static Task<FakeHaiPay> StartAsync(Func<ReceivedRequest, CannedResponse> respond) =>
        StartAsync((request, _) => Task.FromResult(respond(request)));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
