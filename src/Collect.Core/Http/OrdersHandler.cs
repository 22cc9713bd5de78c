using System.Text.Json;
using System.Threading.Channels;
using Collect.Core.Collection;
using Collect.Core.Orders;
using Collect.Core.Storage;
using Collect.Core.Telemetry;
using HaiPay;
using Microsoft.AspNetCore.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Http;

/// <summary>
/// <c>POST /api/orders</c> and <c>GET /api/orders/{orderId}</c>, host-agnostic (the Functions app and the local
/// runner both call these). See the README for the exact contract.
/// </summary>
/// <remarks>
/// Fields a caller may not set (<c>notifyUrl</c>, <c>appId</c>) and any other unknown fields are ignored: the product
/// sends its own notifyUrl and the configured appId. Create first adds the order's row to the sweep's work list, then
/// stores the order (a conditional insert, so two identical requests racing each other make one order and one
/// orchestration), then schedules the orchestration with instance id = orderId — none of it cancelled by the caller
/// going away, and a crash between any two steps is found by the reconciliation sweep — and then re-reads the stored
/// order until the apply finished or <see cref="CollectOptions.CreateWait"/> passed (at once when the apply commits in
/// this process, else every <see cref="CreatePollInterval"/>).
/// </remarks>
public sealed partial class OrdersHandler(
    OrderStore store,
    OrderIndex sweepIndex,
    CreateOrderValidator validator,
    IOptions<CollectOptions> options,
    TimeProvider time,
    CollectMetrics metrics,
    ILogger<OrdersHandler> logger)
{
    /// <summary>How often create re-reads the order while it waits for the apply.</summary>
    public static readonly TimeSpan CreatePollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>How old a Pending order with no orchestration instance must be before a replay starts one.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromMinutes(1);

    public static string Location(string orderId) =>
        $"/{CollectRoutes.Prefix}/{CollectRoutes.Orders}/{Uri.EscapeDataString(orderId)}";

    /// <summary>
    /// 201 (applied, with payUrl and orderNo), 202 (apply still running after the wait), 200 (identical replay),
    /// 400 (invalid: every field problem at once), 409 (same orderId, different request), 422 (HaiPay rejected).
    /// </summary>
    public async Task<IResult> CreateAsync(HttpRequest request, DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        // Current while the orchestration is scheduled: the Durable Task client carries this trace into it.
        using var span = CollectTelemetry.StartSpan(CollectTelemetry.Spans.Create, orderId: null);
        if (!IsJson(request.ContentType))
        {
            return Problems.UnsupportedMediaType(request.ContentType, "application/json");
        }
        var body = await RequestBody.ReadAsync(request, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Problems.TooLarge(RequestBody.MaxBytes);
        }
        if (!TryReadFields(body, out var fields, out var typeErrors, out var malformed))
        {
            return Problems.BadRequest("The request body cannot be read.", malformed);
        }

        var create = CreateOrderRequest.FromFields(fields);
        var errors = validator.Validate(create)
            .Where(e => !typeErrors.ContainsKey(e.Key))
            .Concat(typeErrors)
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "The order request is invalid.",
                detail: $"{errors.Count} field(s) have problems; see errors.");
        }

        CurrencyExtensions.TryParse(create.Currency, out var currency);
        HaiPayAmount.TryParse(create.Amount, out var amount);
        var order = create.ToPendingOrder(currency, amount, time.GetUtcNow()) with { TraceParent = CollectTelemetry.TraceParentOf(span) };
        using var scope = logger.BeginOrderScope(order.OrderId);
        span?.SetTag(CollectTelemetry.OrderIdAttribute, order.OrderId);

        // Not cancelled with the request from here on: once the order is stored its orchestration must start, and the
        // work-list row written first means a crash at any point leaves the sweep something to find.
        var sweepEntry = new SweepEntry(order.OrderId, OrderIndex.Slot(order.CreatedAt + options.Value.SweepGrace));
        await sweepIndex.AddAsync(sweepEntry, CancellationToken.None).ConfigureAwait(false);
        var stored = await store.CreateAsync(order, CancellationToken.None).ConfigureAwait(false);
        if (!stored.Created)
        {
            // Our write-ahead row is not needed; unless it is the existing order's own row (same slot), it goes.
            if (OrderIndex.Slot(stored.Order.CreatedAt + options.Value.SweepGrace) != sweepEntry.DueAt)
            {
                await sweepIndex.RemoveAsync(sweepEntry, CancellationToken.None).ConfigureAwait(false);
            }
            return await ReplayAsync(stored.Order, order.RequestHash, durable).ConfigureAwait(false);
        }
        metrics.OrderCreated(order.Currency);
        LogCreated(order.OrderId, order.Currency, HaiPayAmount.Format(order.Amount), order.InBankCode,
            Mask.Phone(order.Phone), Mask.Email(order.Email));

        // Watched before the start, so the apply's commits reach the wait however soon they come.
        var commits = store.Changes.Watch(order.OrderId);
        await CollectionStart.EnsureStartedAsync(durable, stored.Order, options.Value).ConfigureAwait(false);
        return await AwaitApplyAsync(stored.Order, commits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>200 with the view, or 404.</summary>
    public async Task<IResult> GetAsync(string orderId, CancellationToken cancellationToken = default)
    {
        var order = OrderIds.IsValid(orderId)
            ? await store.GetAsync(orderId, cancellationToken).ConfigureAwait(false)
            : null;
        return order is null ? Problems.NotFound(orderId) : TypedResults.Ok(OrderView.From(order));
    }

    private async Task<IResult> ReplayAsync(Order existing, string requestHash, DurableTaskClient durable)
    {
        if (existing.RequestHash != requestHash)
        {
            LogConflict(existing.OrderId);
            return Problems.Status(StatusCodes.Status409Conflict,
                "The order exists with a different request.",
                $"Order {existing.OrderId} was created with different details; an orderId can be used for one request only.",
                new Dictionary<string, object?> { ["orderId"] = existing.OrderId });
        }
        // The orchestration may have failed before the apply finished (or, after a crash, never started: the sweep
        // starts those, and a replay of the same request does too). A missing instance only counts once the order is
        // older than OrphanedAfter: the backend enqueues the start before it writes the instance row.
        if (existing.Status == OrderStatus.Pending &&
            await durable.GetInstanceAsync(existing.OrderId, getInputsAndOutputs: false).ConfigureAwait(false) is var instance &&
            (instance is null ? existing.CreatedAt <= time.GetUtcNow() - OrphanedAfter : !CollectionStart.IsLive(instance)))
        {
            LogRescheduling(existing.OrderId, instance?.RuntimeStatus);
            await CollectionStart.EnsureStartedAsync(durable, existing, options.Value).ConfigureAwait(false);
        }
        LogReplayed(existing.OrderId, existing.Status);
        return TypedResults.Ok(OrderView.From(existing));
    }

    /// <summary>
    /// Waits for the apply to finish (201 / 422) or the wait to be over (202). The row's commits in this process (the
    /// apply ran here) reach it at once, as committed, so it needs no read; when none comes within
    /// <see cref="CreatePollInterval"/> (the apply ran in another process), it re-reads the row.
    /// </summary>
    private async Task<IResult> AwaitApplyAsync(Order created, ChannelReader<Order> commits, CancellationToken cancellationToken)
    {
        try
        {
            return await PollApplyAsync(created, commits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            store.Changes.Forget(created.OrderId);
        }
    }

    private async Task<IResult> PollApplyAsync(Order created, ChannelReader<Order> commits, CancellationToken cancellationToken)
    {
        var giveUpAt = time.GetUtcNow() + options.Value.CreateWait;
        var current = created;
        while (true)
        {
            if (current.Status == OrderStatus.Rejected)
            {
                return Problems.Status(StatusCodes.Status422UnprocessableEntity,
                    "HaiPay rejected the order.",
                    $"HaiPay rejected order {current.OrderId} with error {current.ErrorCode}: {current.ErrorMessage}",
                    new Dictionary<string, object?>
                    {
                        ["orderId"] = current.OrderId,
                        ["errorCode"] = current.ErrorCode,
                        ["providerMessage"] = current.ErrorMessage,
                    });
            }
            if (current.Status != OrderStatus.Pending)
            {
                return TypedResults.Created(Location(current.OrderId), OrderView.From(current));
            }
            var remaining = giveUpAt - time.GetUtcNow();
            if (remaining <= TimeSpan.Zero)
            {
                LogStillApplying(current.OrderId);
                return TypedResults.Accepted(Location(current.OrderId), OrderView.From(current));
            }
            using (var stopWaits = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var poll = Task.Delay(remaining < CreatePollInterval ? remaining : CreatePollInterval, time, stopWaits.Token);
                await Task.WhenAny(commits.WaitToReadAsync(stopWaits.Token).AsTask(), poll).ConfigureAwait(false);
                await stopWaits.CancelAsync().ConfigureAwait(false);
            }
            cancellationToken.ThrowIfCancellationRequested();
            if (commits.TryRead(out var committed))
            {
                while (commits.TryRead(out var later))
                {
                    committed = later;
                }
                current = committed;
            }
            else
            {
                current = await store.GetAsync(current.OrderId, cancellationToken).ConfigureAwait(false) ?? current;
            }
        }
    }

    /// <summary>
    /// Reads the JSON object's known fields. A non-string value for a known field is a field error; a body that is not
    /// a JSON object is malformed. Unknown fields are ignored.
    /// </summary>
    private static bool TryReadFields(
        byte[] body,
        out Dictionary<string, string?> fields,
        out Dictionary<string, string[]> typeErrors,
        out string malformed)
    {
        fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        typeErrors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        malformed = string.Empty;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            malformed = $"The request body is not valid JSON: {ex.Message}";
            return false;
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                malformed = "The request body must be a JSON object with the order's fields.";
                return false;
            }
            foreach (var name in CreateOrderRequest.FieldNames)
            {
                if (!document.RootElement.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }
                if (value.ValueKind == JsonValueKind.String)
                {
                    if (!TryGetText(value, out var text))
                    {
                        typeErrors[name] = [$"{name} is not valid text (it holds a lone surrogate or invalid UTF-8)"];
                        continue;
                    }
                    fields[name] = text;
                }
                else
                {
                    typeErrors[name] = [name == "amount"
                        ? "amount must be a JSON string such as \"10.00\", not a number"
                        : $"{name} must be a JSON string"];
                }
            }
        }
        return true;
    }

    /// <summary><see cref="JsonElement.GetString"/>, which throws for invalid UTF-8 and escaped lone surrogates.</summary>
    private static bool TryGetText(JsonElement value, out string? text)
    {
        try
        {
            text = value.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary><c>application/json</c> or a <c>+json</c> type (any parameters, e.g. charset).</summary>
    private static bool IsJson(string? contentType) =>
        Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media) &&
        (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
         media.MediaType.Value?.EndsWith("+json", StringComparison.OrdinalIgnoreCase) == true);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} created: {Currency} {Amount} by {InBankCode} for {Phone} {Email}")]
    private partial void LogCreated(string orderId, Currency currency, string amount, string inBankCode, string phone, string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} requested again with the same details; it is {Status}")]
    private partial void LogReplayed(string orderId, OrderStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} requested again with different details: 409")]
    private partial void LogConflict(string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} is Pending and its orchestration is {RuntimeStatus}; scheduling it")]
    private partial void LogRescheduling(string orderId, OrchestrationRuntimeStatus? runtimeStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: its orchestration was started by a concurrent request ({RuntimeStatus})")]
    private partial void LogAlreadyScheduled(string orderId, OrchestrationRuntimeStatus runtimeStatus);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId}: apply still running after the create wait: 202")]
    private partial void LogStillApplying(string orderId);
}
