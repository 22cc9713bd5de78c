using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Collect.Core.Catalogue;
using Collect.Core.Collection;
using Collect.Core.Events;
using Collect.Core.Http;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Operations;

/// <summary>
/// The operations API under <c>/api/ops/…</c>, host-agnostic. Reading needs the read right, acting the act right
/// (<see cref="OpsAccess"/>). Every action goes through <see cref="SettlementService"/> (never a raw row edit) and is
/// audited with who, when and why; an action the order's state does not allow answers 409 and changes nothing.
/// </summary>
public sealed partial class OpsHandler(
    OrderStore store,
    OrderIndex index,
    SettlementService settlement,
    EventDispatch events,
    LiveCatalogue catalogue,
    IOptions<OpsOptions> opsOptions,
    IOptions<CollectOptions> collectOptions,
    TimeProvider time,
    ILogger<OpsHandler> logger)
{
    public const int MaxPage = 200;
    private const int MaxBodyBytes = 4096;

    [GeneratedRegex(@"^[0-9]{19}\|[A-Za-z0-9][A-Za-z0-9._~-]{0,47}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ContinuationPattern();

    /// <summary>
    /// <c>GET ops/orders?status=&amp;from=&amp;to=&amp;limit=&amp;continuation=</c>: orders newest first, by status
    /// (any status name, <c>Open</c> = Pending or AwaitingPayment, <c>overdue</c> = open past the deadline) and creation
    /// time, from the index — never a scan of the orders table.
    /// </summary>
    public async Task<IResult> ListAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: false, out _) is { } denied)
        {
            return denied;
        }
        var query = request.Query;
        var statusText = query["status"].ToString();
        OrderStatus? exact = null;
        string partition;
        DateTimeOffset? from = null, to = null;
        if (statusText.Length == 0)
        {
            partition = OrderIndex.CreatedPartition;
        }
        else if (statusText.Equals("Open", StringComparison.OrdinalIgnoreCase))
        {
            partition = OrderIndex.StatusPartition(OrderStatus.Pending);
        }
        else if (statusText.Equals("overdue", StringComparison.OrdinalIgnoreCase))
        {
            partition = OrderIndex.StatusPartition(OrderStatus.Pending);
            to = time.GetUtcNow() - collectOptions.Value.Deadline;
        }
        else if (Enum.TryParse<OrderStatus>(statusText, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(statusText, out _))
        {
            exact = parsed;
            partition = OrderIndex.StatusPartition(parsed);
        }
        else
        {
            return Problems.BadRequest("Unknown status.", $"status must be one of {string.Join(", ", Enum.GetNames<OrderStatus>())}, Open or overdue.");
        }
        if (!TryTime(query["from"], out var fromParam) || !TryTime(query["to"], out var toParam))
        {
            return Problems.BadRequest("Unreadable time.", "from and to are ISO 8601 times with an offset, e.g. 2026-12-02T00:00:00+08:00.");
        }
        from = fromParam ?? from;
        to = toParam is { } t && (to is null || t < to) ? t : to;
        var limit = 50;
        if (query["limit"].ToString() is { Length: > 0 } limitText &&
            (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > MaxPage))
        {
            return Problems.BadRequest("Bad limit.", $"limit is 1–{MaxPage}.");
        }
        string? continuation = null;
        if (query["continuation"].ToString() is { Length: > 0 } token)
        {
            continuation = Decode(token);
            if (continuation is null || !ContinuationPattern().IsMatch(continuation))
            {
                return Problems.BadRequest("Bad continuation.", "Pass the continuation a previous page returned, unchanged.");
            }
        }

        var (ids, next) = await index.PageAsync(partition, from, to, limit, continuation, cancellationToken).ConfigureAwait(false);
        var orders = await Task.WhenAll(ids.Select(id => store.GetAsync(id, cancellationToken))).ConfigureAwait(false);
        var listed = new List<OpsOrderView>();
        foreach (var order in orders.OfType<Order>())
        {
            if (partition != OrderIndex.CreatedPartition && OrderIndex.StatusPartition(order.Status) != partition)
            {
                // A row a crash left behind after the order moved on: tidy it away.
                await index.UnlistAsync(partition, order, cancellationToken).ConfigureAwait(false);
                continue;
            }
            if (exact is null || order.Status == exact)
            {
                listed.Add(OpsOrderView.From(order));
            }
        }
        return TypedResults.Ok(new OpsOrderPage(listed, next is null ? null : Encode(next)));
    }

    /// <summary><c>GET ops/orders/{orderId}</c>: the order, its audit trail, its storefront events with attempts, its orchestration.</summary>
    public async Task<IResult> TimelineAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: false, out _) is { } denied)
        {
            return denied;
        }
        if (!OrderIds.IsValid(orderId) || await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order)
        {
            return Problems.NotFound(orderId);
        }
        var audit = await store.GetAuditAsync(orderId, cancellationToken).ConfigureAwait(false);
        var (orderEvents, attempts) = await store.GetEventsAsync(orderId, cancellationToken).ConfigureAwait(false);
        var instance = await durable.GetInstanceAsync(orderId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new OpsTimeline(
            OpsOrderView.From(order),
            audit.Select(OpsAuditView.From).ToList(),
            orderEvents.Select(e => OpsEventView.From(e, attempts.Where(a => a.Sequence == e.Sequence))).ToList(),
            instance is null ? null : new OpsInstanceView(instance.RuntimeStatus.ToString(), instance.CreatedAt, instance.LastUpdatedAt,
                instance.SerializedCustomStatus)));
    }

    /// <summary>
    /// <c>POST ops/orders/{orderId}/requery</c>: ask HaiPay now — through the orchestration when it runs (202), directly
    /// otherwise (200 with the order as HaiPay's answer left it).
    /// </summary>
    public async Task<IResult> RequeryAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        if (await FindAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order)
        {
            return Problems.NotFound(orderId);
        }
        if (order.Status == OrderStatus.Rejected)
        {
            return Conflict(order, "HaiPay refused this order at apply: there is nothing to ask.");
        }
        var instance = await durable.GetInstanceAsync(orderId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (order.Status.IsWaiting() && CollectionStart.IsLive(instance))
        {
            await settlement.RecordOperatorAsync(orderId, "requery", "asked the running orchestration to query HaiPay now", caller!.Name, cancellationToken)
                .ConfigureAwait(false);
            await durable.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(null, Verified: true), CancellationToken.None)
                .ConfigureAwait(false);
            return TypedResults.Accepted((string?)null, OpsOrderView.From(order));
        }
        try
        {
            var settled = await settlement.QueryAsync(orderId, QueryReason.Operator, skipWhenFinal: false, caller!.Name, cancellationToken)
                .ConfigureAwait(false);
            await events.StartWrittenAsync(durable, settled.Order).ConfigureAwait(false);
            return TypedResults.Ok(OpsOrderView.From(settled.Order));
        }
        catch (HaiPay.Client.HaiPayTransientException ex)
        {
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "HaiPay did not answer.", $"The query failed ({ex.Reason}); try again.");
        }
    }

    /// <summary><c>POST ops/orders/{orderId}/resolve</c> <c>{"outcome":"Succeeded"|"Failed","note":"…"}</c>: only from NeedsReview.</summary>
    public async Task<IResult> ResolveAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        var (body, problem) = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var errors = new Dictionary<string, string[]>();
        var outcome = body!.GetValueOrDefault("outcome") switch
        {
            "Succeeded" => OrderStatus.Succeeded,
            "Failed" => OrderStatus.Failed,
            _ => (OrderStatus?)null,
        };
        if (outcome is null)
        {
            errors["outcome"] = ["outcome must be Succeeded or Failed"];
        }
        if (NoteProblem(body!.GetValueOrDefault("note")) is { } noteProblem)
        {
            errors["note"] = [noteProblem];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The resolution is invalid.");
        }
        if (await FindAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order)
        {
            return Problems.NotFound(orderId);
        }
        var resolved = await settlement.ResolveAsync(orderId, outcome!.Value, body!["note"]!, caller!.Name, cancellationToken).ConfigureAwait(false);
        if (resolved is null)
        {
            return Conflict(await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false) ?? order, "Only an order in NeedsReview can be resolved.");
        }
        await events.StartWrittenAsync(durable, resolved).ConfigureAwait(false);
        LogAction(orderId, "resolve", caller.Name);
        return TypedResults.Ok(OpsOrderView.From(resolved));
    }

    /// <summary><c>POST ops/orders/{orderId}/cancel</c> <c>{"note":"…"}</c>: only a Pending or AwaitingPayment order; its orchestration stops.</summary>
    public async Task<IResult> CancelAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        var (body, problem) = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        if (NoteProblem(body!.GetValueOrDefault("note")) is { } noteProblem)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["note"] = [noteProblem] }, title: "The cancellation is invalid.");
        }
        if (await FindAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order)
        {
            return Problems.NotFound(orderId);
        }
        var cancelled = await settlement.CancelAsync(orderId, body!["note"]!, caller!.Name, cancellationToken).ConfigureAwait(false);
        if (cancelled is null)
        {
            return Conflict(await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false) ?? order, "Only a Pending or AwaitingPayment order can be cancelled.");
        }
        await events.StartWrittenAsync(durable, cancelled).ConfigureAwait(false);
        // The orchestration stops waiting: its next step finds the order settled and ends (a nudge makes that now).
        await TryRaiseAsync(durable, orderId).ConfigureAwait(false);
        LogAction(orderId, "cancel", caller.Name);
        return TypedResults.Ok(OpsOrderView.From(cancelled));
    }

    /// <summary><c>POST ops/orders/{orderId}/restart</c>: start again the orchestration of a waiting order whose instance is dead.</summary>
    public async Task<IResult> RestartAsync(HttpRequest request, string orderId, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        if (await FindAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order)
        {
            return Problems.NotFound(orderId);
        }
        var instance = await durable.GetInstanceAsync(orderId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (!order.Status.IsWaiting())
        {
            return Conflict(order, "Only a Pending or AwaitingPayment order has an orchestration to restart.");
        }
        if (CollectionStart.IsLive(instance))
        {
            return Conflict(order, $"Its orchestration is {instance!.RuntimeStatus}: nothing to restart.");
        }
        await settlement.RecordOperatorAsync(orderId, "restart",
            $"orchestration {(instance is null ? "missing" : instance.RuntimeStatus.ToString())}: started again", caller!.Name, cancellationToken).ConfigureAwait(false);
        await CollectionStart.EnsureStartedAsync(durable, order, collectOptions.Value).ConfigureAwait(false);
        LogAction(orderId, "restart", caller.Name);
        return TypedResults.Accepted((string?)null, OpsOrderView.From(order));
    }

    /// <summary><c>POST ops/orders/{orderId}/events/{sequence}/redeliver</c>: send one storefront event again, whatever its state.</summary>
    public async Task<IResult> RedeliverAsync(
        HttpRequest request, string orderId, string sequence, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        if (!int.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 999_999 ||
            await FindAsync(orderId, cancellationToken).ConfigureAwait(false) is not { } order ||
            await store.GetEventAsync(orderId, number, cancellationToken).ConfigureAwait(false) is not { } orderEvent)
        {
            return Problems.Status(StatusCodes.Status404NotFound, "No such event.", "There is no such storefront event.");
        }
        if (orderEvent.State == EventState.Superseded)
        {
            return Conflict(order, $"Event {orderEvent.Id} was superseded by a later event; redeliver that one.");
        }
        var outcome = await RedeliverOneAsync(durable, orderEvent, caller!, cancellationToken).ConfigureAwait(false);
        return outcome ? TypedResults.Accepted((string?)null, OpsEventView.From(orderEvent, []))
            : Conflict(order, $"Event {orderEvent.Id} is being delivered right now.");
    }

    /// <summary><c>GET ops/events/undelivered</c>: events whose every scheduled attempt failed.</summary>
    public async Task<IResult> UndeliveredAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: false, out _) is { } denied)
        {
            return denied;
        }
        var rows = await index.UndeliveredAsync(MaxPage, cancellationToken).ConfigureAwait(false);
        var found = new List<OpsEventView>();
        foreach (var (orderId, sequence) in rows)
        {
            if (await store.GetEventAsync(orderId, sequence, cancellationToken).ConfigureAwait(false) is { State: EventState.Failed } failed)
            {
                found.Add(OpsEventView.From(failed, []));
            }
        }
        return TypedResults.Ok(found);
    }

    /// <summary><c>GET ops/catalogue</c>: the payment methods new orders are validated against here, and their source.</summary>
    public IResult Catalogue(HttpRequest request) =>
        Deny(request, act: false, out _) ?? TypedResults.Ok(catalogue.Describe());

    /// <summary><c>POST ops/events/redeliver</c>: every undelivered event again (at most <see cref="MaxPage"/> a call).</summary>
    public async Task<IResult> RedeliverAllAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        if (Deny(request, act: true, out var caller) is { } denied)
        {
            return denied;
        }
        var started = 0;
        foreach (var (orderId, sequence) in await index.UndeliveredAsync(MaxPage, cancellationToken).ConfigureAwait(false))
        {
            if (await store.GetEventAsync(orderId, sequence, cancellationToken).ConfigureAwait(false) is { State: EventState.Failed } failed &&
                await RedeliverOneAsync(durable, failed, caller!, cancellationToken).ConfigureAwait(false))
            {
                started++;
            }
        }
        return TypedResults.Accepted((string?)null, new { redelivering = started });
    }

    private async Task<bool> RedeliverOneAsync(DurableTaskClient durable, OrderEvent orderEvent, Operator caller, CancellationToken cancellationToken)
    {
        var instance = await durable.GetInstanceAsync(OrderEvents.DeliveryInstanceId(orderEvent.OrderId, orderEvent.Sequence),
            getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
        if (CollectionStart.IsLive(instance))
        {
            return false;
        }
        await store.SaveEventAsync(orderEvent with { State = EventState.Pending }, null, cancellationToken).ConfigureAwait(false);
        await settlement.RecordOperatorAsync(orderEvent.OrderId, "redeliver", $"storefront event {orderEvent.Id} ({orderEvent.Type}) sent again",
            caller.Name, cancellationToken).ConfigureAwait(false);
        return await events.StartAsync(durable, orderEvent.OrderId, orderEvent.Sequence, orderEvent.Attempts + 1, "manual").ConfigureAwait(false);
    }

    private IResult? Deny(HttpRequest request, bool act, out Operator? caller)
    {
        var (found, denied) = OpsAccess.Authorize(request, opsOptions.Value, act);
        caller = found;
        return denied;
    }

    private async Task<Order?> FindAsync(string orderId, CancellationToken cancellationToken) =>
        OrderIds.IsValid(orderId) ? await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false) : null;

    private static async Task TryRaiseAsync(DurableTaskClient durable, string orderId)
    {
        try
        {
            await durable.RaiseEventAsync(orderId, CollectionTasks.NotifyEvent, new NotifySignal(null, Verified: true), CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The orchestration's next scheduled step finds the order cancelled anyway.
        }
    }

    private static IResult Conflict(Order order, string why) => Problems.Status(StatusCodes.Status409Conflict,
        "The order's state does not allow this.", why, new Dictionary<string, object?> { ["orderId"] = order.OrderId, ["status"] = order.Status.ToString() });

    private static string? NoteProblem(string? note) => note switch
    {
        null or { Length: 0 } => "note is required: say why",
        { Length: > OrderTransitions.MaxNoteLength } => $"note may be at most {OrderTransitions.MaxNoteLength} characters",
        _ when note.Any(char.IsControl) => "note may not contain control characters",
        _ when note.Trim().Length == 0 => "note is required: say why",
        _ => null,
    };

    /// <summary>A small JSON object of strings (at most 4 KiB).</summary>
    private static async Task<(Dictionary<string, string?>? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var media) ||
            !media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType, "application/json"));
        }
        var bytes = await RequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (bytes is null || bytes.Length > MaxBodyBytes)
        {
            return (null, Problems.TooLarge(MaxBodyBytes));
        }
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Problems.BadRequest("The body cannot be read.", "Send a JSON object."));
            }
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
            return (fields, null);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return (null, Problems.BadRequest("The body cannot be read.", "Send a JSON object of valid text."));
        }
    }

    private static bool TryTime(Microsoft.Extensions.Primitives.StringValues value, out DateTimeOffset? time)
    {
        time = null;
        if (value.ToString() is not { Length: > 0 } text)
        {
            return true;
        }
        if (text.Length <= 40 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            time = parsed;
            return true;
        }
        return false;
    }

    private static string Encode(string key) => Convert.ToBase64String(Encoding.UTF8.GetBytes(key)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string? Decode(string token)
    {
        if (token.Length > 200)
        {
            return null;
        }
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/');
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=')));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: operator action {Action} by {Operator}")]
    private partial void LogAction(string orderId, string action, string @operator);
}

/// <summary>An order as operations see it: the public view, masked contact details, and what ops need to act.</summary>
public sealed record OpsOrderView(OrderView Order, string Name, string Phone, string Email, int ApplyAttempts, DateTimeOffset? CustomerDataErasedAt)
{
    public static OpsOrderView From(Order order) =>
        new(OrderView.From(order), Mask.Name(order.Name), Mask.Phone(order.Phone), Mask.Email(order.Email), order.ApplyAttempts,
            order.CustomerDataErasedAt);
}

public sealed record OpsOrderPage(IReadOnlyList<OpsOrderView> Orders, string? Continuation);

public sealed record OpsAuditView(DateTimeOffset At, string Kind, string? Reason, string? Actor, string? FromStatus, string? ToStatus,
    int? ProviderStatus, string? Detail, string? ErrorCode, string? ErrorMessage, string? Verification, string? Remote, string? RawBody)
{
    public static OpsAuditView From(AuditEntry e) => new(e.At, e.Kind.ToString(), e.Reason, e.Actor, e.FromStatus?.ToString(), e.ToStatus?.ToString(),
        e.ProviderStatus, e.Detail, e.ErrorCode, e.ErrorMessage, e.Verification, e.Remote, e.RawBody);
}

public sealed record OpsEventView(string Id, string OrderId, int Sequence, string Type, DateTimeOffset CreatedAt, string State, int Attempts,
    string? LastResult, DateTimeOffset? DeliveredAt, IReadOnlyList<EventAttempt> AttemptLog)
{
    public static OpsEventView From(OrderEvent e, IEnumerable<EventAttempt> attempts) => new(e.Id, e.OrderId, e.Sequence, e.Type, e.CreatedAt,
        e.State.ToString(), e.Attempts, e.LastResult, e.DeliveredAt, attempts.OrderBy(a => a.Attempt).ToList());
}

public sealed record OpsInstanceView(string RuntimeStatus, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string? CustomStatus);

public sealed record OpsTimeline(OpsOrderView Order, IReadOnlyList<OpsAuditView> Audit, IReadOnlyList<OpsEventView> Events, OpsInstanceView? Orchestration);
