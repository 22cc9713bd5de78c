using HaiPay.Client;

namespace HaiPay.Tests.Support;

/// <summary>Fixed credentials; <see cref="RefreshAsync"/> switches to <c>afterRefresh</c> (when given) and counts calls.</summary>
public sealed class StubCredentialSource(HaiPayCredentials current, HaiPayCredentials? afterRefresh = null) : IHaiPayCredentialSource
{
    private HaiPayCredentials _current = current;
    private int _refreshCount;

    public int RefreshCount => Volatile.Read(ref _refreshCount);

    public ValueTask<HaiPayCredentials> GetAsync(Currency currency, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_current);

    public ValueTask<HaiPayCredentials> RefreshAsync(Currency currency, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _refreshCount);
        _current = afterRefresh ?? _current;
        return ValueTask.FromResult(_current);
    }
}
