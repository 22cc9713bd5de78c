using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Collect.Core.Orders;
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
/// Orders and their audit trail on Azure Table Storage. Orders table: PartitionKey = orderId, RowKey = "order"
/// (point reads). Audit table: PartitionKey = orderId, RowKey = UTC ticks (19 digits) + "-" + a random suffix, so an
/// order's entries list in time order. Money is stored as decimal strings; statuses as names.
/// </summary>
/// <remarks>
/// Writes are conditional: create is an insert that fails if the row exists; every update reads the row, applies
/// a pure transition (<see cref="OrderTransitions"/>) and replaces the row only if its ETag is unchanged; on a
/// conflict it reads again and re-applies the rules to what the other writer stored. Nothing is overwritten blindly.
/// Every status change is followed by a <see cref="AuditKind.Transition"/> entry. Tables are created on first use.
/// </remarks>
public sealed partial class OrderStore
{
    public const string OrderRowKey = "order";

    /// <summary>Longest raw callback body kept in an audit entry (a Table Storage string holds 32K UTF-16 characters).</summary>
    public const int MaxRawBodyLength = 30_000;

    private const int MaxUpdateAttempts = 10;

    private static long s_lastAuditTicks;

    private readonly TableServiceClient _service;
    private readonly TableClient _orders;
    private readonly TableClient _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<OrderStore> _logger;
    private readonly Lock _initLock = new();
    private Task? _tablesReady;

    public OrderStore(TableServiceClient service, IOptions<CollectOptions> options, TimeProvider time, ILogger<OrderStore> logger)
    {
        _service = service;
        _orders = service.GetTableClient(options.Value.OrdersTable);
        _audit = service.GetTableClient(options.Value.AuditTable);
        _time = time;
        _logger = logger;
    }

    /// <summary>Creates both tables if they do not exist (once per process; retried after a failure).</summary>
    public Task EnsureTablesAsync()
    {
        lock (_initLock)
        {
            if (_tablesReady is null || _tablesReady.IsFaulted || _tablesReady.IsCanceled)
            {
                _tablesReady = CreateTablesAsync();
            }
            return _tablesReady;
        }
    }

    private async Task CreateTablesAsync()
    {
        await _orders.CreateIfNotExistsAsync().ConfigureAwait(false);
        await _audit.CreateIfNotExistsAsync().ConfigureAwait(false);
        LogTablesReady(_service.AccountName, _orders.Name, _audit.Name);
    }

    /// <summary>
    /// Inserts a new order. When the orderId exists already, nothing is written and the existing order is returned
    /// with <see cref="OrderCreateResult.Created"/> false (the caller compares request hashes).
    /// </summary>
    public async Task<OrderCreateResult> CreateAsync(Order order, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        while (true)
        {
            try
            {
                var response = await _orders.AddEntityAsync(ToEntity(order), cancellationToken).ConfigureAwait(false);
                await AppendAuditAsync(new AuditEntry
                {
                    OrderId = order.OrderId,
                    Kind = AuditKind.Transition,
                    ToStatus = order.Status,
                    Reason = "created",
                }, cancellationToken).ConfigureAwait(false);
                return new OrderCreateResult(order with { ETag = response.Headers.ETag?.ToString() }, Created: true);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // The row exists (or was deleted in between: then insert again).
                if (await GetAsync(order.OrderId, cancellationToken).ConfigureAwait(false) is { } existing)
                {
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
    /// Applies <paramref name="transition"/> to the stored order and writes the result if it differs, conditionally on
    /// the ETag; on a conflict re-reads and re-applies (bounded). A status change adds a Transition audit entry with
    /// <paramref name="cause"/>. Returns the order as stored afterwards, or null when there is no such order.
    /// </summary>
    public async Task<Order?> UpdateAsync(string orderId, Func<Order, Order> transition, string cause, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        for (var attempt = 1; attempt <= MaxUpdateAttempts; attempt++)
        {
            var current = await GetAsync(orderId, cancellationToken).ConfigureAwait(false);
            if (current is null)
            {
                return null;
            }
            var next = transition(current);
            if (next == current)
            {
                return current;
            }
            try
            {
                var response = await _orders.UpdateEntityAsync(
                    ToEntity(next), new ETag(current.ETag!), TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
                var stored = next with { ETag = response.Headers.ETag?.ToString() };
                if (stored.Status != current.Status)
                {
                    await AppendAuditAsync(new AuditEntry
                    {
                        OrderId = orderId,
                        Kind = AuditKind.Transition,
                        FromStatus = current.Status,
                        ToStatus = stored.Status,
                        ProviderStatus = stored.ProviderStatus?.ToWire(),
                        Reason = cause,
                        Detail = stored.Status == OrderStatus.NeedsReview ? stored.ErrorMessage : null,
                    }, cancellationToken).ConfigureAwait(false);
                }
                return stored;
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
    public async Task<AuditEntry> AppendAuditAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var at = NextAuditTime();
        var stored = entry with
        {
            At = at,
            Id = $"{at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..28],
            RawBody = entry.RawBody is { Length: > MaxRawBodyLength } raw ? raw[..MaxRawBodyLength] : entry.RawBody,
        };
        await _audit.AddEntityAsync(ToEntity(stored), cancellationToken).ConfigureAwait(false);
        return stored;
    }

    /// <summary>The order's audit trail, oldest first.</summary>
    public async Task<IReadOnlyList<AuditEntry>> GetAuditAsync(string orderId, CancellationToken cancellationToken = default)
    {
        await EnsureTablesAsync().ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {orderId}");
        await foreach (var entity in _audit.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            entries.Add(AuditFromEntity(entity));
        }
        return entries;
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
            ["CreatedAt"] = order.CreatedAt,
            ["UpdatedAt"] = order.UpdatedAt,
        };
        SetIfPresent(entity, "Subject", order.Subject);
        SetIfPresent(entity, "Body", order.Body);
        SetIfPresent(entity, "ProviderStatus", order.ProviderStatus?.ToWire());
        SetIfPresent(entity, "OrderNo", order.OrderNo);
        SetIfPresent(entity, "PayUrl", order.PayUrl);
        SetIfPresent(entity, "ActualAmount", order.ActualAmount is { } actual ? Money(actual) : null);
        SetIfPresent(entity, "Fee", order.Fee is { } fee ? Money(fee) : null);
        // Kept as round-trip text so HaiPay's offset (+08:00) survives; Table Storage dates are UTC only.
        SetIfPresent(entity, "PayTime", order.PayTime?.ToString("O", CultureInfo.InvariantCulture));
        SetIfPresent(entity, "ErrorCode", order.ErrorCode);
        SetIfPresent(entity, "ErrorMessage", order.ErrorMessage);
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
        Body = entity.GetString("Body"),
        RequestHash = entity.GetString("RequestHash"),
        Status = Enum.Parse<OrderStatus>(entity.GetString("Status")),
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

    private static TableEntity ToEntity(AuditEntry entry)
    {
        var entity = new TableEntity(entry.OrderId, entry.Id)
        {
            ["Kind"] = entry.Kind.ToString(),
            ["At"] = entry.At,
        };
        SetIfPresent(entity, "Reason", entry.Reason);
        SetIfPresent(entity, "Detail", entry.Detail);
        SetIfPresent(entity, "ProviderStatus", entry.ProviderStatus);
        SetIfPresent(entity, "FromStatus", entry.FromStatus?.ToString());
        SetIfPresent(entity, "ToStatus", entry.ToStatus?.ToString());
        SetIfPresent(entity, "OrderNo", entry.OrderNo);
        SetIfPresent(entity, "ErrorCode", entry.ErrorCode);
        SetIfPresent(entity, "ErrorMessage", entry.ErrorMessage);
        SetIfPresent(entity, "RawBody", entry.RawBody);
        SetIfPresent(entity, "ContentType", entry.ContentType);
        SetIfPresent(entity, "Verification", entry.Verification);
        SetIfPresent(entity, "Remote", entry.Remote);
        return entity;
    }

    private static AuditEntry AuditFromEntity(TableEntity entity) => new()
    {
        OrderId = entity.PartitionKey,
        Id = entity.RowKey,
        Kind = Enum.Parse<AuditKind>(entity.GetString("Kind")),
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Order tables ready in {Account}: {OrdersTable}, {AuditTable}")]
    private partial void LogTablesReady(string account, string ordersTable, string auditTable);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Order {OrderId} changed concurrently (attempt {Attempt}); re-reading and re-applying")]
    private partial void LogConflict(string orderId, int attempt);
}
