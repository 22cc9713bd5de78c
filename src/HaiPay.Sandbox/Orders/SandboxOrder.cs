namespace HaiPay.Sandbox.Orders;

/// <summary>
/// An order the sandbox accepted. The request fields never change; the settlement fields change only under
/// <see cref="Gate"/>, through <see cref="OrderLifecycle"/>.
/// </summary>
internal sealed class SandboxOrder
{
    public object Gate { get; } = new();

    public required Currency Currency { get; init; }
    public required long AppId { get; init; }
    public required string OrderId { get; init; }
    public required string OrderNo { get; init; }
    public required decimal Amount { get; init; }
    public required string PayType { get; init; }
    public required string InBankCode { get; init; }
    public required string CallBackUrl { get; init; }
    public required string CallBackFailUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public CollectionStatus Status { get; set; } = CollectionStatus.NotStarted;

    /// <summary>The last status before the final one (what a stale callback reports).</summary>
    public CollectionStatus LastNonFinalStatus { get; set; } = CollectionStatus.NotStarted;

    /// <summary>While status is -1: the outcome the order will reach when confirmed.</summary>
    public Settlement? PendingSettlement { get; set; }

    public decimal CollectedAmount { get; set; }
    public decimal Fee { get; set; }
    public DateTimeOffset? PayTime { get; set; }
    public string? ErrorMsg { get; set; }

    /// <summary>A consistent copy, taken under <see cref="Gate"/>.</summary>
    public SandboxOrderView Snapshot(OrderCounters counters)
    {
        lock (Gate)
        {
            return new SandboxOrderView
            {
                Currency = Currency,
                AppId = AppId,
                OrderId = OrderId,
                OrderNo = OrderNo,
                Amount = Amount,
                PayType = PayType,
                InBankCode = InBankCode,
                CallBackUrl = CallBackUrl,
                CallBackFailUrl = CallBackFailUrl,
                NotifyUrl = NotifyUrl,
                CreatedAt = CreatedAt,
                Status = Status,
                CollectedAmount = CollectedAmount,
                Fee = Fee,
                PayTime = PayTime,
                ErrorMsg = ErrorMsg,
                Counters = counters,
            };
        }
    }
}

/// <summary>The final outcome of a settle action, fixed when the action happens.</summary>
internal sealed record Settlement(CollectionStatus Status, decimal CollectedAmount, string? ErrorMsg);

/// <summary>A read-only copy of an order and its counters.</summary>
public sealed record SandboxOrderView
{
    public required Currency Currency { get; init; }
    public required long AppId { get; init; }
    public required string OrderId { get; init; }
    public required string OrderNo { get; init; }
    public required decimal Amount { get; init; }
    public required string PayType { get; init; }
    public required string InBankCode { get; init; }
    public required string CallBackUrl { get; init; }
    public required string CallBackFailUrl { get; init; }
    public string? NotifyUrl { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required CollectionStatus Status { get; init; }

    /// <summary>What the customer paid (the query's actualAmount, the callback's amount).</summary>
    public required decimal CollectedAmount { get; init; }

    public required decimal Fee { get; init; }
    public DateTimeOffset? PayTime { get; init; }
    public string? ErrorMsg { get; init; }
    public required OrderCounters Counters { get; init; }
}
