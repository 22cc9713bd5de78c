namespace Collect.Core.Orders;

/// <summary>Our status of a collection order (HaiPay's own status is kept beside it as providerStatus).</summary>
public enum OrderStatus
{
    /// <summary>Stored; the apply call to HaiPay has not finished.</summary>
    Pending,
    /// <summary>HaiPay accepted the order (status 0, 1 or -1): waiting for the customer to pay.</summary>
    AwaitingPayment,
    /// <summary>HaiPay reported success (2), confirmed by a query, amount and currency matching.</summary>
    Succeeded,
    /// <summary>HaiPay reported failure (3), confirmed by a query.</summary>
    Failed,
    /// <summary>HaiPay refused the apply (business rejection).</summary>
    Rejected,
    /// <summary>The deadline passed with no final status. A later success still ends as Succeeded.</summary>
    Expired,
    /// <summary>4 or 5, an amount or currency mismatch, or a final status contradicting an earlier one.</summary>
    NeedsReview,
    /// <summary>
    /// An operator stopped waiting for the payment. HaiPay has no cancel, so the order stays open to HaiPay's word: a
    /// success reported later makes it NeedsReview, never silently Succeeded.
    /// </summary>
    Cancelled,
}
