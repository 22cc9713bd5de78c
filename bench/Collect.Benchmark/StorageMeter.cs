using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using TestSupport;

namespace Collect.Benchmark;

/// <summary>Which Azure Storage service a request went to.</summary>
public enum StorageService
{
    Blob,
    Queue,
    Table,
}

/// <summary>
/// A counting forwarder in front of Azurite: every storage client the benchmark measures gets its own
/// <see cref="ConnectionString"/> (a "source": the product's order store, the product's engine, the bare engine),
/// whose three endpoints are ports of this process that forward each request unchanged to Azurite's blob, queue and
/// table ports and count it by source, service, resource (table, queue or container, task hub prefix removed; for
/// the orders table also the kind of row) and operation. One request is one storage transaction; an entity-group
/// transaction (<c>$batch</c>) is one request however many rows it writes (its rows are counted apart).
/// </summary>
/// <remarks>
/// The extra loopback hop costs every request a fraction of a millisecond, for the product and the bare engine alike.
/// Shared Key signatures cover the path, query and headers, never the host, so forwarding keeps them valid.
/// </remarks>
public sealed partial class StorageMeter : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream;
    private readonly Dictionary<int, (string Source, StorageService Service, int UpstreamPort)> _ports = [];
    private readonly ConcurrentDictionary<StorageRequestKey, long> _counts = new();
    private readonly ConcurrentDictionary<(string Source, string Rows), long> _batchRows = new();
    private readonly Dictionary<string, string> _connectionStrings = [];

    private StorageMeter(WebApplication app, HttpClient upstream)
    {
        _app = app;
        _upstream = upstream;
    }

    /// <summary>Listens for each of <paramref name="sources"/> on three loopback ports forwarding to <paramref name="azurite"/>.</summary>
    public static async Task<StorageMeter> StartAsync(AzuriteProcess azurite, params string[] sources)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var listen = new List<(int Port, string Source, StorageService Service, int Upstream)>();
        foreach (var source in sources)
        {
            listen.Add((FreePort.Next(), source, StorageService.Blob, azurite.BlobPort));
            listen.Add((FreePort.Next(), source, StorageService.Queue, azurite.QueuePort));
            listen.Add((FreePort.Next(), source, StorageService.Table, azurite.TablePort));
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = null;
            foreach (var (port, _, _, _) in listen)
            {
                kestrel.Listen(IPAddress.Loopback, port);
            }
        });
        var upstream = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        var app = builder.Build();
        var meter = new StorageMeter(app, upstream);
        foreach (var (port, source, service, upstreamPort) in listen)
        {
            meter._ports[port] = (source, service, upstreamPort);
        }
        foreach (var source in sources)
        {
            var p = listen.Where(l => l.Source == source).ToDictionary(l => l.Service, l => l.Port);
            meter._connectionStrings[source] =
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
                "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
                $"BlobEndpoint=http://127.0.0.1:{p[StorageService.Blob]}/devstoreaccount1;" +
                $"QueueEndpoint=http://127.0.0.1:{p[StorageService.Queue]}/devstoreaccount1;" +
                $"TableEndpoint=http://127.0.0.1:{p[StorageService.Table]}/devstoreaccount1;";
        }
        app.Run(meter.ForwardAsync);
        await app.StartAsync();
        return meter;
    }

    /// <summary>The storage connection string whose requests are counted under <paramref name="source"/>.</summary>
    public string ConnectionString(string source) => _connectionStrings[source];

    /// <summary>Every count so far (subtract two snapshots for a window).</summary>
    public StorageCounts Snapshot() => new(
        _counts.ToDictionary(e => e.Key, e => e.Value),
        _batchRows.ToDictionary(e => e.Key, e => e.Value));

    private async Task ForwardAsync(HttpContext context)
    {
        var (source, service, upstreamPort) = _ports[context.Connection.LocalPort];
        var rawTarget = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        byte[]? body = null;
        if (context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0)
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        var leaseAction = context.Request.Headers["x-ms-lease-action"].ToString();
        var key = Classify(source, service, context.Request.Method, rawTarget, leaseAction, body);
        _counts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (key.Operation == "batch" && body is not null)
        {
            _batchRows.AddOrUpdate((source, BatchRows(body)), 1, (_, n) => n + 1);
        }

        using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri($"http://127.0.0.1:{upstreamPort}{rawTarget}", UriKind.Absolute));
        if (body is not null || context.Request.ContentLength == 0)
        {
            request.Content = new ByteArrayContent(body ?? []);
        }
        foreach (var (name, values) in context.Request.Headers)
        {
            if (name is "Host" or "Connection" or "Keep-Alive" or "Transfer-Encoding" or "Expect")
            {
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, values.ToArray()))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
        }
        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        foreach (var (name, values) in response.Headers.Concat(response.Content.Headers))
        {
            if (name is "Transfer-Encoding" or "Connection" or "Keep-Alive" or "Server")
            {
                continue;
            }
            context.Response.Headers[name] = values.ToArray();
        }
        if (context.Request.Method != "HEAD")
        {
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }

    /// <summary>Source, service, resource and operation of one request (paths as the Azure SDK sends them to Azurite).</summary>
    public static StorageRequestKey Classify(string source, StorageService service, string method, string rawTarget, string leaseAction, byte[]? body)
    {
        var queryAt = rawTarget.IndexOf('?');
        var path = Uri.UnescapeDataString(queryAt < 0 ? rawTarget : rawTarget[..queryAt]);
        var query = queryAt < 0 ? "" : Uri.UnescapeDataString(rawTarget[(queryAt + 1)..]);
        var segments = path.Trim('/').Split('/');
        var resource = segments.Length > 1 ? segments[1] : "(account)";
        switch (service)
        {
            case StorageService.Table:
            {
                if (resource == "$batch")
                {
                    var batch = body is null ? "" : Encoding.UTF8.GetString(body);
                    var table = BatchTable().Match(batch);
                    return new(source, service, table.Success ? Hubless(table.Groups[1].Value) : "(batch)", "batch");
                }
                var entity = EntityAddress().Match(resource);
                var name = entity.Success ? entity.Groups["table"].Value : resource;
                if (name == "Tables")
                {
                    return new(source, service, "Tables", method == "GET" ? "list tables" : "create table");
                }
                var rowKind = entity.Success && entity.Groups["row"].Success ? " " + RowKind(entity.Groups["row"].Value) : "";
                var operation = method switch
                {
                    "GET" when entity.Success && entity.Groups["row"].Success => "point read",
                    "GET" => query.Contains("$filter", StringComparison.Ordinal) ? "query" : "scan",
                    "POST" => "insert",
                    "DELETE" => "delete",
                    _ => "write",
                };
                return new(source, service, Hubless(name) + rowKind, operation);
            }
            case StorageService.Queue:
            {
                var queue = Hubless(resource);
                queue = ControlQueue().IsMatch(queue) ? "control-NN" : queue;
                var onMessages = segments.Length > 2 && segments[2] == "messages";
                var operation = (method, onMessages, segments.Length > 3) switch
                {
                    ("GET", true, false) => query.Contains("peekonly=true", StringComparison.OrdinalIgnoreCase) ? "peek" : "get messages",
                    ("POST", true, _) => "put message",
                    ("DELETE", true, true) => "delete message",
                    ("PUT", true, true) => "update message",
                    ("GET", false, _) => "get properties",
                    ("PUT", false, _) => "create queue",
                    _ => method.ToLowerInvariant(),
                };
                return new(source, service, queue, operation);
            }
            default:
            {
                var container = Hubless(resource);
                var operation = query.Contains("comp=lease", StringComparison.Ordinal) ? $"lease {leaseAction.ToLowerInvariant()}"
                    : query.Contains("comp=list", StringComparison.Ordinal) ? "list"
                    : method.ToLowerInvariant();
                return new(source, service, container, operation);
            }
        }
    }

    /// <summary>The kinds of rows one <c>$batch</c> touches, e.g. "order+audit" (for the orders table's partitions).</summary>
    private static string BatchRows(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        var kinds = BatchRowKey().Matches(text).Select(m => RowKind(Uri.UnescapeDataString(m.Groups[1].Value)))
            .Concat(BatchInsert().Matches(text).Select(m => RowKind(m.Groups[1].Value)))
            .GroupBy(k => k).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? g.Key : $"{g.Count()}×{g.Key}");
        var table = BatchTable().Match(text);
        return $"{(table.Success ? Hubless(table.Groups[1].Value) : "?")}: {string.Join(" + ", kinds)}";
    }

    /// <summary>The orders table's row kinds (order, callbacks, audit-…, event-…); other tables' rows as "row".</summary>
    private static string RowKind(string rowKey) => rowKey switch
    {
        "order" or "callbacks" => rowKey,
        _ when rowKey.StartsWith("audit-", StringComparison.Ordinal) => "audit",
        _ when rowKey.StartsWith("event-", StringComparison.Ordinal) => rowKey.Length > "event-000000".Length ? "event attempt" : "event",
        _ => "row",
    };

    /// <summary>Task hub names (benchproduct, benchbare) are removed so the product's and the bare engine's rows line up.</summary>
    private static string Hubless(string name) => HubPrefix().Replace(name, "");

    [GeneratedRegex(@"^(?<table>[A-Za-z][A-Za-z0-9]*)\((?:PartitionKey='(?<pk>(?:[^']|'')*)',RowKey='(?<row>(?:[^']|'')*)')?\)$")]
    private static partial Regex EntityAddress();

    [GeneratedRegex(@"^(?:PUT|POST|PATCH|MERGE|DELETE|GET) https?://[^/\s]+/[^/\s]+/([A-Za-z][A-Za-z0-9]*)", RegexOptions.Multiline)]
    private static partial Regex BatchTable();

    [GeneratedRegex(@"RowKey='((?:[^']|'')*)'\)")]
    private static partial Regex BatchRowKey();

    [GeneratedRegex(@"^POST https?://\S+ HTTP/1\.1[\s\S]*?""RowKey""\s*:\s*""([^""]*)""", RegexOptions.Multiline)]
    private static partial Regex BatchInsert();

    [GeneratedRegex(@"^control-\d+$")]
    private static partial Regex ControlQueue();

    [GeneratedRegex(@"^bench(product|bare)-?", RegexOptions.IgnoreCase)]
    private static partial Regex HubPrefix();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}

/// <summary>One counted kind of storage request.</summary>
public sealed record StorageRequestKey(string Source, StorageService Service, string Resource, string Operation);

/// <summary>Request counts at one moment (or, subtracted, over a window).</summary>
public sealed record StorageCounts(
    IReadOnlyDictionary<StorageRequestKey, long> Requests,
    IReadOnlyDictionary<(string Source, string Rows), long> Batches)
{
    public long Total(string source, StorageService? service = null) =>
        Requests.Where(e => e.Key.Source == source && (service is null || e.Key.Service == service)).Sum(e => e.Value);

    public static StorageCounts operator -(StorageCounts after, StorageCounts before) => new(
        after.Requests.ToDictionary(e => e.Key, e => e.Value - before.Requests.GetValueOrDefault(e.Key)).Where(e => e.Value != 0).ToDictionary(),
        after.Batches.ToDictionary(e => e.Key, e => e.Value - before.Batches.GetValueOrDefault(e.Key)).Where(e => e.Value != 0).ToDictionary());
}
