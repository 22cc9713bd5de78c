using System.Globalization;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using Collect.Core.Events;
using Collect.Core.Orders;
using Collect.Core.Telemetry;
using HaiPay;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Collect.Core.Storage;

/// <summary>The outcome of <see cref="OrderStore.CreateAsync"/>: the stored order, and whether this call created it.</summary>
public sealed record OrderCreateResult(Order Order, bool Created);

/// <summary>Thrown when an order could not be updated because other writers kept changing it.</summary>
public sealed class OrderUpdateConflictException(string orderId, int attempts)
    : Exception($"Order {orderId} changed under {attempts} consecutive update attempts; giving up.");

/// <summary>
/// Orders and their audit trail on Azure Table Storage, one partition per order (PartitionKey = orderId) in one table:
/// RowKey <c>order</c> is the order, <c>callbacks</c> its <see cref="CallbackLedger"/>, <c>audit-</c> + UTC ticks
/// (19 digits) + a random suffix its audit entries, which list in time order with one partition query, and
/// <c>event-{n:D6}</c> its storefront events (with <c>event-{n:D6}-{attempt:D3}</c> their delivery attempts).
/// Money is stored as decimal strings; statuses as names.
/// </summary>
/// <remarks>
/// A change to the order, the audit entries that explain it and (for a status change, when events are on) its
/// storefront event are written in one entity-group transaction,
/// conditional on the order row's ETag: both are stored or neither. Every update reads the row, applies a pure
/// transition (<see cref="OrderTransitions"/>) and submits; on a conflict it reads again and re-applies the rules to
/// what the other writer stored. Nothing is overwritten blindly. The table is created on first use.
/// </remarks>
public sealed partial class OrderStore
{
    public const string OrderRowKey = "order";
    public const string CallbackLedgerRowKey = "callbacks";
    public const string AuditRowKeyPrefix = "audit-";
    public const string EventRowKeyPrefix = "event-";

    private const int MaxUpdateAttempts = 10;

    private static long s_lastAuditTicks;

    private readonly TableServiceClient _service;
    private readonly TableClient _orders;
    private readonly TimeProvider _time;
    private readonly EventOptions _events;
    private readonly OrderIndex _index;
    private readonly TimeSpan _sweepGrace;
    private readonly ILogger<OrderStore> _logger;
    private readonly CollectMetrics _metrics;
    private readonly Lock _initLock = new();
    private Task? _tableReady;

    /// <summary>Raised after every committed update of an order row in this process (see <see cref="OrderChangeSignal"/>).</summary>
    public OrderChangeSignal Changes { get; } = new();

    public OrderStore(
        TableServiceClient service, IOptions<CollectOptions> options, IOptions<EventOptions> events, OrderIndex index,
        TimeProvider time, CollectMetrics metrics, ILogger<OrderStore> logger)
    {
        _metrics = metrics;
        _service = service;
        _orders = service.GetTableClient(options.Value.OrdersTable);
        _events = events.Value;
        _index = index;
        _sweepGrace = options.Value.SweepGrace;
        _time = time;
        _logger = logger;
    }

    /// <summary>Creates the table if it does not exist (once per process; retried after a failure).</summary>
    public Task EnsureTablesAsync()
    {
        lock (_initLock)
        {
            if (_tableReady is null || _tableReady.IsFaulted || _tableReady.IsCanceled)
            {
                _tableReady = CreateTableAsync();
            }
            return _tableReady;
        }
    }

    /// <summary>
    /// Proves the orders table answers: the table exists (created once per process) and a point read of a key no
    /// order can have succeeds. One table transaction; throws what the storage client throws.
    /// </summary>
    public async Task ProbeAsync(CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        await _orders.GetEntityIfExistsAsync<TableEntity>("(health)", "probe", ["PartitionKey"], cancellationToken).ConfigureAwait(false);
    }

    private async Task CreateTableAsync()
    {
        await _orders.CreateIfNotExistsAsync().ConfigureAwait(false);
        LogTablesReady(_service.AccountName, _orders.Name);
    }

    /// <summary>
    /// Inserts a new order with its "created" audit entry, in one transaction. When the orderId exists already,
    /// nothing is written and the existing order is returned with <see cref="OrderCreateResult.Created"/> false (the
    /// caller compares request hashes).
    /// </summary>
    public async Task<OrderCreateResult> CreateAsync(Order order, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        // Listed ahead (the rows are hints a listing checks against the order), so a stored order is always listed.
        await _index.ListAsync(OrderIndex.CreatedPartition, order, cancellationToken).ConfigureAwait(false);
        await _index.ListAsync(OrderIndex.StatusPartition(order.Status), order, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            try
            {
                var responses = await _orders.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, ToEntity(order)),
                    AddAudit(new AuditEntry { OrderId = order.OrderId, Kind = AuditKind.Transition, ToStatus = order.Status, Reason = "created" }),
                ], cancellationToken).ConfigureAwait(false);
                return new OrderCreateResult(order with { ETag = responses.Value[0].Headers.ETag?.ToString() }, Created: true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // The row exists (or was deleted in between: then insert again).
                if (await GetAsync(order.OrderId, cancellationToken).ConfigureAwait(false) is { } existing)
                {
                    if (OrderIndex.ListKey(existing.CreatedAt, existing.OrderId) != OrderIndex.ListKey(order.CreatedAt, order.OrderId))
                    {
                        await _index.UnlistAsync(OrderIndex.CreatedPartition, order, cancellationToken).ConfigureAwait(false);
                        await _index.UnlistAsync(OrderIndex.StatusPartition(order.Status), order, cancellationToken).ConfigureAwait(false);
                    }
                    return new OrderCreateResult(existing, Created: false);
                }
            }
        }
    }

    /// <summary>Point read; null when there is no such order.</summary>
    public async Task<Order?> GetAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var response = await _orders.GetEntityIfExistsAsync<TableEntity>(orderId, OrderRowKey, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>Point read of an order that must exist (an activity's input); throws when there is no such order.</summary>
    public async Task<Order> GetRequiredAsync(string orderId, CancellationToken cancellationToken = default) =>
        await GetAsync(orderId, cancellationToken).ConfigureAwait(false)
        ?? throw new InvalidOperationException($"Order {orderId} is not in the store.");

    /// <summary>
    /// Applies <paramref name="transition"/> to the stored order and writes the result, together with the audit
    /// entries <paramref name="audit"/> gives for (stored, next) and a Transition entry with <paramref name="cause"/>
    /// when the status changes, in one transaction conditional on the row's ETag; on a conflict it re-reads and
    /// re-applies (bounded). When the order does not change, the entries are appended on their own. Returns the
    /// order as stored afterwards, or null when there is no such order.
    /// </summary>
    public Task<Order?> UpdateAsync(
        string orderId,
        Func<Order, Order> transition,
        string cause,
        Func<Order, Order, IEnumerable<AuditEntry>>? audit = null,
        CancellationToken cancellationToken = default) =>
        UpdateFromAsync(orderId, stored: null, transition, cause, audit, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(string, Func{Order, Order}, string, Func{Order, Order, IEnumerable{AuditEntry}}?, CancellationToken)"/>,
    /// but the first attempt starts from <paramref name="stored"/> (the row as this caller just read or wrote it, with
    /// its ETag) instead of reading it again. The write stays conditional on that ETag: should the row have changed
    /// since, it fails with 412 and the next attempt re-reads, as for any conflict. When the transition changes nothing
    /// on <paramref name="stored"/>, the row is read again and the transition re-applied, as without it.
    /// </summary>
    public Task<Order?> UpdateAsync(
        Order stored,
        Func<Order, Order> transition,
        string cause,
        Func<Order, Order, IEnumerable<AuditEntry>>? audit = null,
        CancellationToken cancellationToken = default) =>
        UpdateFromAsync(stored.OrderId, stored.ETag is null ? null : stored with { WrittenEvent = null }, transition, cause, audit, cancellationToken);

    private async Task<Order?> UpdateFromAsync(
        string orderId,
        Order? stored,
        Func<Order, Order> transition,
        string cause,
        Func<Order, Order, IEnumerable<AuditEntry>>? audit,
        CancellationToken cancellationToken)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        for (var attempt = 1; attempt <= MaxUpdateAttempts; attempt++)
        {
            var fromCaller = attempt == 1 && stored is not null;
            var current = fromCaller ? stored : await GetAsync(orderId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }
            var next = transition(current);
            if (next == current && fromCaller)
            {
                // "Nothing changes" is decided on a fresh read only: no ETag guards it.
                continue;
            }
            var entries = (audit?.Invoke(current, next) ?? []).ToList();
            if (next == current)
            {
                await AppendAuditAsync(entries, cancellationToken).ConfigureAwait(false);
                return current;
            }
            OrderEvent? written = null;
            if (next.Status != current.Status && _events.Enabled && OrderEvents.TypeFor(next.Status) is { } type)
            {
                written = new OrderEvent { OrderId = orderId, Sequence = current.EventSequence + 1, Type = type, CreatedAt = next.UpdatedAt };
                next = next with { EventSequence = written.Sequence };
                // Written ahead: should the process die before the delivery starts, the sweep finds the event and starts it.
                await _index.AddEventDueAsync(orderId, written.Sequence, _time.GetUtcNow() + _sweepGrace, cancellationToken).ConfigureAwait(false);
            }
            var (oldList, newList) = (OrderIndex.StatusPartition(current.Status), OrderIndex.StatusPartition(next.Status));
            if (newList != oldList)
            {
                await _index.ListAsync(newList, next, cancellationToken).ConfigureAwait(false);
            }
            if (next.Status != current.Status)
            {
                entries.Add(new AuditEntry
                {
                    OrderId = orderId,
                    Kind = AuditKind.Transition,
                    FromStatus = current.Status,
                    ToStatus = next.Status,
                    ProviderStatus = next.ProviderStatus?.ToWire(),
                    Reason = cause,
                    Detail = next.Status == OrderStatus.NeedsReview ? next.ErrorMessage : null,
                });
            }
            try
            {
                var actions = entries.Select(AddAudit).Prepend(
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(next), new ETag(current.ETag!)));
                if (written is not null)
                {
                    actions = actions.Append(new TableTransactionAction(TableTransactionActionType.Add, ToEntity(written)));
                }
                var responses = await _orders.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                // Every status change is written here and nowhere else: counted once, after it committed.
                _metrics.StatusChanged(current, next);
                var committed = next with { ETag = responses.Value[0].Headers.ETag?.ToString() };
                Changes.Raise(committed);
                if (newList != oldList)
                {
                    await _index.UnlistAsync(oldList, next, cancellationToken).ConfigureAwait(false);
                }
                return committed with { WrittenEvent = written };
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                LogConflict(orderId, attempt);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }
        throw new OrderUpdateConflictException(orderId, MaxUpdateAttempts);
    }

    /// <summary>Appends an entry to the order's audit trail (its time and id are set here).</summary>
    public Task AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default) =>
        AppendAuditAsync([entry], cancellationToken);

    /// <summary>Appends entries of one order's audit trail in one transaction.</summary>
    public async Task AppendAuditAsync(IReadOnlyCollection<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        if (entries.Count == 0)
        {
            return;
        }
        await EnsureTablesAsync().ConfigureAwait(false);
        await _orders.SubmitTransactionAsync(entries.Select(AddAudit), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The order's audit trail, oldest first (one partition query over the <c>audit-</c> rows).</summary>
    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {orderId} and RowKey ge {AuditRowKeyPrefix} and RowKey lt {AuditRowKeyEnd}");
        await foreach (var entity in _orders.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(AuditFromEntity(entity));
        }
        return entries;
    }

    /// <summary>
    /// Replaces every occurrence of <paramref name="values"/> (ignoring case) in the text of the order's audit entries —
    /// raw bodies, details, error messages — with <paramref name="replacement"/>, in transactions of at most 100 rows;
    /// returns how many entries changed. The rest of each entry (kind, statuses, amounts, times) is untouched.
    /// </summary>
    public async Task<int> ScrubAuditAsync(
        string orderId, IReadOnlyCollection<string> values, string replacement, CancellationToken cancellationToken = default)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        var pattern = new Regex(
            string.Join('|', values.OrderByDescending(v => v.Length).Select(Regex.Escape)),
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        var changes = new List<TableTransactionAction>();
        foreach (var entry in await GetAuditAsync(orderId, cancellationToken).ConfigureAwait(false))
        {
            var scrubbed = new TableEntity(orderId, entry.Id);
            var changed = false;
            foreach (var (name, text) in new[] { ("RawBody", entry.RawBody), ("Detail", entry.Detail), ("ErrorMessage", entry.ErrorMessage) })
            {
                if (text is not null && pattern.IsMatch(text))
                {
                    scrubbed[name] = pattern.Replace(text, replacement);
                    changed = true;
                }
            }
            if (changed)
            {
                changes.Add(new TableTransactionAction(TableTransactionActionType.UpdateMerge, scrubbed, ETag.All));
            }
        }
        foreach (var batch in changes.Chunk(100))
        {
            await _orders.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        return changes.Count;
    }

    /// <summary>The order's callback ledger, or a new (unsaved) one.</summary>
    public async Task<CallbackLedger> GetCallbackLedgerAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var response = await _orders.GetEntityIfExistsAsync<TableEntity>(orderId, CallbackLedgerRowKey, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return response.HasValue ? LedgerFromEntity(response.Value!) : new CallbackLedger { OrderId = orderId };
    }

    /// <summary>
    /// Writes <paramref name="next"/> (conditional on the ETag of the ledger it was derived from, or as a new row) and
    /// <paramref name="entries"/> in one transaction. Returns the ledger as saved (with its new ETag, so the next change
    /// needs no read), or null when another writer got there first: read and decide again.
    /// </summary>
    public async Task<CallbackLedger?> TrySaveCallbackLedgerAsync(CallbackLedger next, IReadOnlyCollection<AuditEntry> entries, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var ledger = next.ETag is null
            ? new TableTransactionAction(TableTransactionActionType.Add, ToEntity(next))
            : new TableTransactionAction(TableTransactionActionType.UpdateReplace, ToEntity(next), new ETag(next.ETag));
        try
        {
            var saved = await _orders.SubmitTransactionAsync(entries.Select(AddAudit).Prepend(ledger), cancellationToken).ConfigureAwait(false);
            return next with { ETag = saved.Value.Count > 0 ? saved.Value[0].Headers.ETag?.ToString() : null };
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return null;
        }
    }

    /// <summary>The order's storefront events and their attempts, oldest first (one partition query).</summary>
    public async Task<(IReadOnlyList<OrderEvent> Events, IReadOnlyList<EventAttempt> Attempts)> GetEventsAsync(
        string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var events = new List<OrderEvent>();
        var attempts = new List<EventAttempt>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {orderId} and RowKey ge {EventRowKeyPrefix} and RowKey lt {EventRowKeyEnd}");
        await foreach (var entity in _orders.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey.Length == EventRowKey(0).Length)
            {
                events.Add(EventFromEntity(entity));
            }
            else
            {
                attempts.Add(AttemptFromEntity(entity));
            }
        }
        return (events, attempts);
    }

    /// <summary>One storefront event, or null.</summary>
    public async Task<OrderEvent?> GetEventAsync(string orderId, int sequence, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var response = await _orders.GetEntityIfExistsAsync<TableEntity>(orderId, EventRowKey(sequence), cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return response.HasValue ? EventFromEntity(response.Value!) : null;
    }

    /// <summary>Saves an event's state and, with it, the attempt that led to it (one transaction).</summary>
    public async Task SaveEventAsync(OrderEvent orderEvent, EventAttempt? attempt, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.UpsertReplace, ToEntity(orderEvent)) };
        if (attempt is not null)
        {
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, ToEntity(attempt)));
        }
        await _orders.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
    }

    public static string EventRowKey(int sequence) => $"{EventRowKeyPrefix}{sequence:D6}";

    private static string AttemptRowKey(int sequence, int attempt) => $"{EventRowKey(sequence)}-{attempt:D3}";

    /// <summary>Just past every audit row key: <c>audit-</c> with '-' (0x2D) raised to '.' (0x2E).</summary>
    private static readonly string AuditRowKeyEnd = AuditRowKeyPrefix[..^1] + ".";

    private static readonly string EventRowKeyEnd = EventRowKeyPrefix[..^1] + ".";

    private static TableEntity ToEntity(OrderEvent e)
    {
        var entity = new TableEntity(e.OrderId, EventRowKey(e.Sequence))
        {
            ["Type"] = e.Type,
            ["CreatedAt"] = e.CreatedAt,
            ["State"] = e.State.ToString(),
            ["Attempts"] = e.Attempts,
        };
        SetIfPresent(entity, "LastAttemptAt", e.LastAttemptAt);
        SetIfPresent(entity, "LastResult", StorageText.Fit(e.LastResult, 300));
        SetIfPresent(entity, "DeliveredAt", e.DeliveredAt);
        return entity;
    }

    private static OrderEvent EventFromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        Sequence = int.Parse(entity.RowKey.AsSpan(EventRowKeyPrefix.Length, 6), CultureInfo.InvariantCulture),
        Type = entity.GetString("Type"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt") ?? default,
        State = Enum.TryParse<EventState>(entity.GetString("State"), out var state) ? state : EventState.Pending,
        Attempts = entity.GetInt32("Attempts") ?? 0,
        LastAttemptAt = entity.GetDateTimeOffset("LastAttemptAt"),
        LastResult = entity.GetString("LastResult"),
        DeliveredAt = entity.GetDateTimeOffset("DeliveredAt"),
    };

    private static TableEntity ToEntity(EventAttempt a)
    {
        var entity = new TableEntity(a.OrderId, AttemptRowKey(a.Sequence, a.Attempt))
        {
            ["At"] = a.At,
            ["Kind"] = a.Kind,
            ["DurationMs"] = a.DurationMs,
        };
        SetIfPresent(entity, "HttpStatus", a.HttpStatus);
        SetIfPresent(entity, "Error", StorageText.Fit(a.Error, 300));
        return entity;
    }

    private static EventAttempt AttemptFromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        Sequence = int.Parse(entity.RowKey.AsSpan(EventRowKeyPrefix.Length, 6), CultureInfo.InvariantCulture),
        Attempt = int.Parse(entity.RowKey.AsSpan(EventRowKeyPrefix.Length + 7, 3), CultureInfo.InvariantCulture),
        At = entity.GetDateTimeOffset("At") ?? default,
        Kind = entity.GetString("Kind") ?? "automatic",
        HttpStatus = entity.GetInt32("HttpStatus"),
        Error = entity.GetString("Error"),
        DurationMs = entity.GetInt64("DurationMs") ?? 0,
    };

    private TableTransactionAction AddAudit(AuditEntry entry)
    {
        var at = NextAuditTime();
        var id = $"{AuditRowKeyPrefix}{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..(AuditRowKeyPrefix.Length + 28)];
        return new TableTransactionAction(TableTransactionActionType.Add, ToEntity(entry with { At = at, Id = id }));
    }

    /// <summary>Now, but strictly after the previous audit time of this process, so entries written in sequence sort in sequence.</summary>
    private DateTimeOffset NextAuditTime()
    {
        var now = _time.GetUtcNow().UtcTicks;
        while (true)
        {
            var last = Interlocked.Read(ref s_lastAuditTicks);
            var next = Math.Max(now, last + 1);
            if (Interlocked.CompareExchange(ref s_lastAuditTicks, next, last) == last)
            {
                return new DateTimeOffset(next, TimeSpan.Zero);
            }
        }
    }

    private static TableEntity ToEntity(Order order)
    {
        var entity = new TableEntity(order.OrderId, OrderRowKey)
        {
            ["Currency"] = order.Currency.ToString(),
            ["Amount"] = Money(order.Amount),
            ["PayType"] = order.PayType,
            ["InBankCode"] = order.InBankCode,
            ["Name"] = order.Name,
            ["Phone"] = order.Phone,
            ["Email"] = order.Email,
            ["PartnerUserId"] = order.PartnerUserId,
            ["CallBackUrl"] = order.CallBackUrl,
            ["CallBackFailUrl"] = order.CallBackFailUrl,
            ["RequestHash"] = order.RequestHash,
            ["Status"] = order.Status.ToString(),
            ["ApplyAttempts"] = order.ApplyAttempts,
            ["EventSequence"] = order.EventSequence,
            ["CreatedAt"] = order.CreatedAt,
            ["UpdatedAt"] = order.UpdatedAt,
        };
        SetIfPresent(entity, "Subject", order.Subject);
        SetIfPresent(entity, "TraceParent", order.TraceParent);
        SetIfPresent(entity, "Body", order.Body);
        SetIfPresent(entity, "ProviderStatus", order.ProviderStatus?.ToWire());
        // What HaiPay sent is bounded and sanitised; what the storefront sent was validated at create.
        SetIfPresent(entity, "OrderNo", StorageText.Fit(order.OrderNo, 200));
        SetIfPresent(entity, "PayUrl", StorageText.Fit(order.PayUrl, 4_000));
        SetIfPresent(entity, "ActualAmount", order.ActualAmount is { } actual ? Money(actual) : null);
        SetIfPresent(entity, "Fee", order.Fee is { } fee ? Money(fee) : null);
        // Kept as round-trip text so HaiPay's offset (+08:00) survives; Table Storage dates are UTC only.
        SetIfPresent(entity, "PayTime", order.PayTime?.ToString("O", CultureInfo.InvariantCulture));
        SetIfPresent(entity, "ErrorCode", StorageText.Fit(order.ErrorCode, 200));
        SetIfPresent(entity, "ErrorMessage", StorageText.Fit(order.ErrorMessage));
        SetIfPresent(entity, "ResolutionNote", StorageText.Fit(order.ResolutionNote, OrderTransitions.MaxNoteLength));
        SetIfPresent(entity, "ResolvedAt", order.ResolvedAt);
        SetIfPresent(entity, "CustomerDataErasedAt", order.CustomerDataErasedAt);
        return entity;
    }

    private static Order FromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        Currency = Enum.Parse<Currency>(entity.GetString("Currency")),
        Amount = ParseMoney(entity.GetString("Amount"))!.Value,
        PayType = entity.GetString("PayType"),
        InBankCode = entity.GetString("InBankCode"),
        Name = entity.GetString("Name"),
        Phone = entity.GetString("Phone"),
        Email = entity.GetString("Email"),
        PartnerUserId = entity.GetString("PartnerUserId"),
        CallBackUrl = entity.GetString("CallBackUrl"),
        CallBackFailUrl = entity.GetString("CallBackFailUrl"),
        Subject = entity.GetString("Subject"),
        TraceParent = entity.GetString("TraceParent"),
        Body = entity.GetString("Body"),
        RequestHash = entity.GetString("RequestHash"),
        Status = Enum.Parse<OrderStatus>(entity.GetString("Status")),
        ApplyAttempts = entity.GetInt32("ApplyAttempts") ?? 0,
        EventSequence = entity.GetInt32("EventSequence") ?? 0,
        ResolutionNote = entity.GetString("ResolutionNote"),
        ResolvedAt = entity.GetDateTimeOffset("ResolvedAt"),
        CustomerDataErasedAt = entity.GetDateTimeOffset("CustomerDataErasedAt"),
        ProviderStatus = entity.GetInt32("ProviderStatus") is { } status ? (CollectionStatus)status : null,
        OrderNo = entity.GetString("OrderNo"),
        PayUrl = entity.GetString("PayUrl"),
        ActualAmount = ParseMoney(entity.GetString("ActualAmount")),
        Fee = ParseMoney(entity.GetString("Fee")),
        PayTime = entity.GetString("PayTime") is { } payTime
            ? DateTimeOffset.Parse(payTime, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)
            : null,
        ErrorCode = entity.GetString("ErrorCode"),
        ErrorMessage = entity.GetString("ErrorMessage"),
        CreatedAt = entity.GetDateTimeOffset("CreatedAt")!.Value,
        UpdatedAt = entity.GetDateTimeOffset("UpdatedAt")!.Value,
        ETag = entity.ETag.ToString(),
    };

    private static TableEntity ToEntity(CallbackLedger ledger)
    {
        var entity = new TableEntity(ledger.OrderId, CallbackLedgerRowKey)
        {
            ["StoredInWindow"] = ledger.StoredInWindow,
            ["SuppressedInWindow"] = ledger.SuppressedInWindow,
            ["UnverifiedStored"] = ledger.UnverifiedStored,
            ["UnverifiedSuppressed"] = ledger.UnverifiedSuppressed,
            ["AcknowledgedSigns"] = string.Join(',', ledger.AcknowledgedSigns),
        };
        SetIfPresent(entity, "WindowStart", ledger.WindowStart);
        SetIfPresent(entity, "NudgedAt", ledger.NudgedAt);
        return entity;
    }

    private static CallbackLedger LedgerFromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        WindowStart = entity.GetDateTimeOffset("WindowStart"),
        StoredInWindow = entity.GetInt32("StoredInWindow") ?? 0,
        SuppressedInWindow = entity.GetInt64("SuppressedInWindow") ?? 0,
        UnverifiedStored = entity.GetInt32("UnverifiedStored") ?? 0,
        UnverifiedSuppressed = entity.GetInt64("UnverifiedSuppressed") ?? 0,
        NudgedAt = entity.GetDateTimeOffset("NudgedAt"),
        AcknowledgedSigns = entity.GetString("AcknowledgedSigns") is { Length: > 0 } signs ? signs.Split(',') : [],
        ETag = entity.ETag.ToString(),
    };

    private static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(entry.OrderId, entry.Id)
        {
            ["Kind"] = entry.Kind.ToString(),
            ["At"] = entry.At,
        };
        SetIfPresent(entity, "Reason", StorageText.Fit(entry.Reason, 200));
        SetIfPresent(entity, "Detail", StorageText.Fit(entry.Detail));
        SetIfPresent(entity, "ProviderStatus", entry.ProviderStatus);
        SetIfPresent(entity, "FromStatus", entry.FromStatus?.ToString());
        SetIfPresent(entity, "ToStatus", entry.ToStatus?.ToString());
        SetIfPresent(entity, "OrderNo", StorageText.Fit(entry.OrderNo, 200));
        SetIfPresent(entity, "ErrorCode", StorageText.Fit(entry.ErrorCode, 200));
        SetIfPresent(entity, "ErrorMessage", StorageText.Fit(entry.ErrorMessage));
        SetIfPresent(entity, "RawBody", StorageText.Fit(entry.RawBody, Math.Min(entry.RawBodyLimit, StorageText.MaxRawBody)));
        SetIfPresent(entity, "ContentType", StorageText.Fit(entry.ContentType, 200));
        SetIfPresent(entity, "Verification", entry.Verification);
        SetIfPresent(entity, "Remote", StorageText.Fit(entry.Remote, 100));
        SetIfPresent(entity, "Actor", StorageText.Fit(entry.Actor, 200));
        return entity;
    }

    private static AuditEntry AuditFromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        Id = entity.RowKey,
        Kind = Enum.TryParse<AuditKind>(entity.GetString("Kind"), out var kind) ? kind : AuditKind.Transition,
        At = entity.GetDateTimeOffset("At") ?? default,
        Reason = entity.GetString("Reason"),
        Detail = entity.GetString("Detail"),
        ProviderStatus = entity.GetInt32("ProviderStatus"),
        FromStatus = entity.GetString("FromStatus") is { } from ? Enum.Parse<OrderStatus>(from) : null,
        ToStatus = entity.GetString("ToStatus") is { } to ? Enum.Parse<OrderStatus>(to) : null,
        OrderNo = entity.GetString("OrderNo"),
        ErrorCode = entity.GetString("ErrorCode"),
        ErrorMessage = entity.GetString("ErrorMessage"),
        RawBody = entity.GetString("RawBody"),
        ContentType = entity.GetString("ContentType"),
        Verification = entity.GetString("Verification"),
        Remote = entity.GetString("Remote"),
        Actor = entity.GetString("Actor"),
    };

    private static void SetIfPresent(TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    private static string Money(decimal amount) => amount.ToString(CultureInfo.InvariantCulture);

    private static decimal? ParseMoney(string? text) =>
        text is null ? null : decimal.Parse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order table ready in {Account}: {OrdersTable}")]
    private partial void LogTablesReady(string account, string ordersTable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId} changed concurrently (attempt {Attempt}); re-reading and re-applying")]
    private partial void LogConflict(string orderId, int attempt);
}
