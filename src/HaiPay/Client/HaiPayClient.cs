using HaiPay.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HaiPay.Client;

/// <summary>
/// Typed <see cref="HttpClient"/> client for HaiPay's collection endpoints (registered with
/// <see cref="HaiPayServiceCollectionExtensions.AddHaiPayClient"/>). Signs requests, parses the envelope
/// (<c>status</c> as string or integer), verifies <c>data</c>, and classifies failures.
/// </summary>
public sealed class HaiPayClient(
    HttpClient http,
    IHaiPayCredentialSource credentials,
    IOptions<HaiPayOptions> options,
    ILogger<HaiPayClient> logger) : IHaiPayClient
{
    public Task<ApplyResult> ApplyAsync(Currency currency, ApplyRequest request, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();

    public Task<QueryResult> QueryAsync(Currency currency, string orderId, string? orderNo = null, CancellationToken cancellationToken = default) =>
        throw new NotImplementedException();
}
