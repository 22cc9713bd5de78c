using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Collect.EndToEnd;

namespace Collect.Reliability;

/// <summary>
/// A seeded fuzz of every public endpoint: at least a thousand hostile requests each (random bytes, broken and deeply
/// nested JSON, invalid UTF-8 and lone surrogates, huge values and bodies, wrong types and content types, duplicate
/// keys, orderIds that are paths, spaces, bidirectional overrides or emoji, spoofed headers). Every answer must be a
/// 4xx (problem details where the product answers) and no order may be created or changed.
/// </summary>
public static class HostileInput
{
    private const string Name = "fuzz";
    private const int PerEndpoint = 1000;

    private static readonly string[] HostileText =
    [
        new string('x', 40_000), "\\ud800", "\\udc00 trailing", "\u0000", "\u202Eevil", "zero\u200Bwidth", "\U0001F600", "../..", "%2e%2e%2f",
        "'; DROP TABLE orders; --", "<script>alert(1)</script>", "", " ", "\r\n", "99999999999999999999999999.999", "-1", "1e309", "NaN",
        string.Concat(Enumerable.Repeat("\u0301", 5000)), "a\\u0000b",
    ];

    private static readonly string[] HostileOrderIds =
    [
        ".", "..", "a b", "ORD\u202E1", "ORD\u200B1", "\U0001F600", new string('A', 49), new string('A', 5000), "a/b", "a#b", "a?b", "a\\\\b",
        "-x", "ORD%2F1", "\t", "\u0000",
    ];

    public static async Task RunAsync(Report report, int seed)
    {
        var random = new Random(seed + 2);
        await using var stack = await CollectStack.StartAsync(new StackSettings
        {
            TaskHub = "relfuzz",
            Product = Runner.Settings(new Dictionary<string, string>
            {
                ["Collect:QueryBackoff"] = "00:00:01,00:10:00",
                ["Collect:Deadline"] = "00:20:00",
            }),
        });
        var targets = Enumerable.Range(0, 5).Select(i => OrderRequest.NewOrderId($"fzt{i}")).ToList();
        foreach (var orderId in targets)
        {
            await stack.Orders.CreateAsync(OrderRequest.Hkd(orderId));
            await stack.Orders.WaitForAsync(orderId, v => v.ProviderStatus == 0, "queried once", TimeSpan.FromSeconds(90));
        }
        var orders = new TableClient(stack.Azurite.ConnectionString, "orders");
        var before = await OrderRowsAsync(orders);
        using var http = new HttpClient { BaseAddress = stack.Product.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        var appId = stack.Sandbox.AppIds["HKD"];

        await FuzzAsync(report, "POST /api/orders", PerEndpoint, i => CreateRequest(random, i), http);
        await FuzzAsync(report, "GET /api/orders/{id}", PerEndpoint, _ => GetRequest(random), http);
        await FuzzAsync(report, "POST /api/haipay/notify", PerEndpoint, i => NotifyRequest(random, i, targets, appId), http);
        await FuzzAsync(report, "/api/ops/…", PerEndpoint, i => OpsRequest(random, i, targets), http);

        await Task.Delay(TimeSpan.FromSeconds(3)); // nudged orchestrations' queries land before the state is compared
        var after = await OrderRowsAsync(orders);
        var changed = before.Keys.Union(after.Keys).Count(key => before.GetValueOrDefault(key) != after.GetValueOrDefault(key));
        report.Figure(Name, "order rows before / after", $"{before.Count} / {after.Count}");
        report.Check(Name, "no hostile request created or changed an order", changed == 0, $"{changed} rows differ");
    }

    private static async Task FuzzAsync(Report report, string endpoint, int count, Func<int, HttpRequestMessage> next, HttpClient http)
    {
        var codes = new SortedDictionary<int, int>();
        var problemDetails = 0;
        var failures = new List<string>();
        for (var i = 0; i < count; i++)
        {
            using var request = next(i);
            var sent = $"{request.Method} {request.RequestUri} {(request.Content is null ? "" : Encoding.UTF8.GetString(await request.Content.ReadAsByteArrayAsync()))}";
            try
            {
                using var response = await http.SendAsync(request);
                var code = (int)response.StatusCode;
                codes[code] = codes.GetValueOrDefault(code) + 1;
                problemDetails += response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? 1 : 0;
                if (code is < 400 or >= 500)
                {
                    failures.Add($"{code} for {Describe(sent)}");
                }
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{ex.Message} for {Describe(sent)}");
            }
        }
        report.Figure(Name, $"{endpoint}: answers", string.Join(", ", codes.Select(c => $"{c.Key}: {c.Value}")) + $" ({problemDetails} problem details)");
        report.Check(Name, $"{endpoint}: {count} hostile requests, all answered 4xx", failures.Count == 0,
            failures.Count == 0 ? "0 answers ≥ 500, 0 accepted" : $"{failures.Count}: {string.Join("; ", failures.Take(3))}");
    }

    private static string Describe(string sent) => sent.Length > 120 ? sent[..120] + "…" : sent;

    private static HttpRequestMessage CreateRequest(Random random, int index)
    {
        var template = Template($"fzo{index:D4}");
        byte[] body;
        var contentType = "application/json";
        switch (index % 9)
        {
            case 0:
                body = RandomBytes(random, random.Next(0, 3000));
                break;
            case 1:
                template["orderId"] = HostileOrderIds[random.Next(HostileOrderIds.Length)];
                foreach (var field in Pick(random, template.Keys.Where(k => k != "orderId").ToList(), random.Next(0, 4)))
                {
                    template[field] = HostileText[random.Next(HostileText.Length)];
                }
                body = Encoding.UTF8.GetBytes(Json(template));
                break;
            case 2:
                var whole = Encoding.UTF8.GetBytes(Json(template));
                body = whole[..random.Next(0, whole.Length - 1)];
                break;
            case 3:
                body = Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000));
                break;
            case 4:
                body = Encoding.UTF8.GetBytes(Json(template));
                contentType = new[] { "text/plain", "application/xml", "", "multipart/form-data", "garbage/;;" }[random.Next(5)];
                break;
            case 5:
                body = Encoding.UTF8.GetBytes(Json(template).Replace("\"amount\":\"100.00\"", "\"amount\":\"abc\",\"amount\":\"-5\""));
                break;
            case 6:
                template["body"] = new string('x', 70_000);
                body = Encoding.UTF8.GetBytes(Json(template));
                break;
            case 7:
                body = Encoding.UTF8.GetBytes(new[] { "[]", "\"order\"", "42", "null", "true", "{}" }[random.Next(6)]);
                break;
            default:
                template["orderId"] = HostileOrderIds[random.Next(HostileOrderIds.Length)];
                body = WithInvalidUtf8(Encoding.UTF8.GetBytes(Json(template)), random);
                break;
        }
        return Post("api/orders", body, contentType);
    }

    private static HttpRequestMessage GetRequest(Random random)
    {
        string segment = random.Next(6) switch
        {
            0 => Uri.EscapeDataString(RandomUnicode(random, random.Next(1, 80))),
            1 => string.Concat(RandomBytes(random, random.Next(1, 40)).Select(b => $"%{b:X2}")),
            2 => new[] { "..", ".", "%2e%2e", "..%2F..%2Fetc%2Fpasswd", "%00", "%2F", "a%20b", "%E2%80%AE1" }[random.Next(8)],
            3 => new string('A', random.Next(49, 20_000)),
            4 => Uri.EscapeDataString(HostileOrderIds[random.Next(HostileOrderIds.Length)]),
            _ => "fz-unknown-" + random.Next(),
        };
        return new HttpRequestMessage(HttpMethod.Get, "api/orders/" + segment);
    }

    private static HttpRequestMessage NotifyRequest(Random random, int index, IReadOnlyList<string> targets, long appId)
    {
        var target = targets[random.Next(targets.Count)];
        var callback = new Dictionary<string, object?>
        {
            ["appId"] = appId,
            ["currency"] = "HKD",
            ["orderId"] = target,
            ["orderNo"] = "SBX" + random.Next(),
            ["amount"] = "128.50",
            ["status"] = 2,
            ["sign"] = Convert.ToBase64String(RandomBytes(random, 256)),
        };
        byte[] body;
        var contentType = "application/json";
        HttpRequestMessage? request = null;
        switch (index % 10)
        {
            case 0:
                body = RandomBytes(random, random.Next(0, 3000));
                contentType = new[] { "application/json", "application/x-www-form-urlencoded", "", "text/plain" }[random.Next(4)];
                break;
            case 1:
                foreach (var field in Pick(random, ["amount", "status", "payTime", "fee", "appId", "currency", "orderNo", "extra"], random.Next(1, 4)))
                {
                    callback[field] = HostileText[random.Next(HostileText.Length)];
                }
                body = Encoding.UTF8.GetBytes(Json(callback));
                break;
            case 2:
                var whole = Encoding.UTF8.GetBytes(Json(callback));
                body = whole[..random.Next(0, whole.Length - 1)];
                break;
            case 3:
                body = Encoding.ASCII.GetBytes(string.Join('&', Enumerable.Range(0, random.Next(1, 20)).Select(_ =>
                    $"{RandomAscii(random, random.Next(0, 10))}={RandomAscii(random, random.Next(0, 30))}%{random.Next(256):X}%Z")));
                contentType = "application/x-www-form-urlencoded";
                break;
            case 4:
                callback["orderId"] = HostileOrderIds[random.Next(HostileOrderIds.Length)];
                body = Encoding.UTF8.GetBytes(Json(callback));
                break;
            case 5:
                callback["junk"] = new string('x', 70_000);
                body = Encoding.UTF8.GetBytes(Json(callback));
                break;
            case 6:
                body = Encoding.UTF8.GetBytes(Json(callback).TrimEnd('}') + ",\"nested\":" + new string('{', 3000) + new string('}', 3000) + "}");
                break;
            case 7:
                body = WithInvalidUtf8(Encoding.UTF8.GetBytes(Json(callback)), random);
                break;
            case 8:
                body = Encoding.UTF8.GetBytes(Json(callback));
                request = Post("api/haipay/notify", body, contentType);
                request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"{RandomAscii(random, 20)}, 10.0.0.{random.Next(256)}");
                return request;
            default:
                callback["orderId"] = "fz-unknown-" + random.Next();
                body = Encoding.UTF8.GetBytes(Json(callback));
                break;
        }
        return Post("api/haipay/notify", body, contentType);
    }

    /// <summary>
    /// The operations API, from this machine (the local runner's access): hostile list parameters, orderIds, event
    /// numbers and action bodies. Every action body is invalid (or the action not allowed for the order's state), so
    /// nothing may change.
    /// </summary>
    private static HttpRequestMessage OpsRequest(Random random, int index, IReadOnlyList<string> targets)
    {
        var target = targets[random.Next(targets.Count)];
        // "." and ".." are dot-segments: the client resolves them to the list route, a legitimate read.
        var ids = HostileOrderIds.Where(id => id is not ("." or "..")).ToArray();
        var hostileId = Uri.EscapeDataString(ids[random.Next(ids.Length)]);
        switch (index % 8)
        {
            case 0:
                // An empty parameter means "not given" (the list's defaults), so only non-empty hostile values count.
                var values = HostileText.Where(text => text.Length > 0).ToArray();
                var query = string.Join('&', Pick(random, ["status", "from", "to", "limit", "continuation"], random.Next(1, 5))
                    .Select(name => $"{name}={Uri.EscapeDataString(Truncate(values[random.Next(values.Length)], 500))}"));
                return new HttpRequestMessage(HttpMethod.Get, "api/ops/orders?" + query);
            case 1:
                return new HttpRequestMessage(HttpMethod.Get, "api/ops/orders/" + hostileId);
            case 2:
                var resolve = new Dictionary<string, object?>
                {
                    ["outcome"] = new[] { "Succeeded", "Failed", "Expired", "", null, "succeeded" }[random.Next(6)],
                    ["note"] = HostileText[random.Next(HostileText.Length)],
                };
                // Targets wait for payment: a resolution is never allowed for them, whatever the body.
                return Post($"api/ops/orders/{Uri.EscapeDataString(target)}/resolve", Encoding.UTF8.GetBytes(Json(resolve)), "application/json");
            case 3:
                return Post($"api/ops/orders/{Uri.EscapeDataString(target)}/cancel", RandomBytes(random, random.Next(0, 6000)),
                    new[] { "application/json", "text/plain", "" }[random.Next(3)]);
            case 4:
                // Raw JSON, so that a lone surrogate reaches the server as sent (a serializer would mend it).
                var note = new[] { "\"\"", "\" \"", "null", "\"\\ud800\"", $"\"{new string('n', 501)}\"", "\"a\\u0000b\"", "\"\\u001f\"", "42", "[\"x\"]" };
                return Post($"api/ops/orders/{Uri.EscapeDataString(target)}/cancel",
                    Encoding.UTF8.GetBytes($"{{\"note\":{note[random.Next(note.Length)]}}}"), "application/json");
            case 5:
                return Post($"api/ops/orders/{hostileId}/requery", [], "application/json");
            case 6:
                var sequence = new[] { "0", "-1", "999999999999", "abc", "1e3", "%00", "1.5" }[random.Next(7)];
                return Post($"api/ops/orders/{Uri.EscapeDataString(target)}/events/{sequence}/redeliver", [], "application/json");
            default:
                return Post($"api/ops/orders/{hostileId}/restart", Encoding.UTF8.GetBytes("{\"x\":1}"), "application/json");
        }
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];

    private static HttpRequestMessage Post(string path, byte[] body, string contentType)
    {
        var content = new ByteArrayContent(body);
        content.Headers.Remove("Content-Type");
        if (contentType.Length > 0)
        {
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        return new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
    }

    private static Dictionary<string, object?> Template(string orderId) => new()
    {
        ["orderId"] = orderId, ["currency"] = "HKD", ["amount"] = "100.00", ["payType"] = "EWALLET", ["inBankCode"] = "ALIPAY_HKD",
        ["name"] = "Chan TaiMan", ["phone"] = "91234567", ["email"] = "tai.man@example.com", ["partnerUserId"] = "user-1",
        ["callBackUrl"] = "https://shop.example.com/paid", ["callBackFailUrl"] = "https://shop.example.com/failed",
    };

    /// <summary>JSON text in which escapes such as <c>\ud800</c> in a hostile value stay escapes (a lone surrogate on the wire).</summary>
    private static string Json(Dictionary<string, object?> fields) =>
        JsonSerializer.Serialize(fields, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace("\\\\u", "\\u");

    private static byte[] WithInvalidUtf8(byte[] json, Random random)
    {
        var text = Encoding.UTF8.GetString(json);
        var at = text.IndexOf("Chan", StringComparison.Ordinal);
        var bytes = json.ToList();
        var bad = new[] { new byte[] { 0xC3, 0x28 }, [0xE2, 0x28, 0xA1], [0xF0, 0x28, 0x8C, 0xBC], [0xFF], [0xC0, 0xAF] }[random.Next(5)];
        bytes.InsertRange(Math.Max(0, at), bad);
        return [.. bytes];
    }

    private static IEnumerable<string> Pick(Random random, IReadOnlyList<string> from, int count) =>
        from.OrderBy(_ => random.Next()).Take(count);

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomAscii(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)random.Next(33, 127)).Where(c => c is not ('&' or '=' or '%')).ToArray());

    private static string RandomUnicode(Random random, int length) =>
        new(Enumerable.Range(0, length).Select(_ => (char)random.Next(1, 0xD7FF)).ToArray());

    private static async Task<Dictionary<string, string>> OrderRowsAsync(TableClient orders)
    {
        var rows = new Dictionary<string, string>();
        try
        {
            await foreach (var row in orders.QueryAsync<TableEntity>(filter: "RowKey eq 'order'"))
            {
                rows[row.PartitionKey] = row.ETag.ToString();
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
        }
        return rows;
    }
}
