namespace HaiPay.Client;

/// <summary>
/// HaiPay's collection endpoints. Every call is signed with the currency's credentials; every <c>data</c> object is
/// verified (unless switched off). Failures are <see cref="HaiPayTransientException"/> (retry) or
/// <see cref="HaiPayRejectedException"/> (do not retry).
/// </summary>
public interface IHaiPayClient
{
    Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, CancellationToken cancellationToken = default);

    /// <summary>The live methods and limits HaiPay lists for the currency's merchant (<c>POST /common/payment/config</c>).</summary>
    Task<IReadOnlyList<HaiPay.Catalogue.LivePaymentMethod>> GetPaymentConfigAsync(Currency currency, CancellationToken cancellationToken = default);

    Task<QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default);
}
