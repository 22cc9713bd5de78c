namespace Collect.Core.Callbacks;

/// <summary>
/// One confirmation at a time per order within this process: copies of a signed callback arriving together (HaiPay
/// sends duplicates) wait for the first one's query instead of each asking HaiPay. Entries live only while someone
/// holds or waits for them, so the gate never grows with the orders seen.
/// </summary>
public sealed class OrderGate
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the order's turn; dispose the turn to leave. <see cref="Turn.Waited"/> says whether someone held it first.</summary>
    public async Task<Turn> EnterAsync(string orderId, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (_gates)
        {
            (SemaphoreSlim Gate, int Users) entry = _gates.TryGetValue(orderId, out var existing) ? existing : (new SemaphoreSlim(1, 1), 0);
            _gates[orderId] = (entry.Gate, entry.Users + 1);
            gate = entry.Gate;
        }
        var waited = false;
        try
        {
            if (!gate.Wait(0))
            {
                waited = true;
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Leave(orderId, release: false);
            throw;
        }
        return new Turn(this, orderId, waited);
    }

    /// <summary>Orders with a holder or a waiter (for tests: it returns to zero).</summary>
    public int Count
    {
        get
        {
            lock (_gates)
            {
                return _gates.Count;
            }
        }
    }

    private void Leave(string orderId, bool release)
    {
        lock (_gates)
        {
            var (gate, users) = _gates[orderId];
            if (release)
            {
                gate.Release();
            }
            if (users == 1)
            {
                _gates.Remove(orderId);
                gate.Dispose();
            }
            else
            {
                _gates[orderId] = (gate, users - 1);
            }
        }
    }

    /// <summary>One holder's turn at an order.</summary>
    public sealed class Turn(OrderGate owner, string orderId, bool waited) : IDisposable
    {
        private int _disposed;

        /// <summary>Another holder had the order when this one came: what it read before may be out of date.</summary>
        public bool Waited => waited;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Leave(orderId, release: true);
            }
        }
    }
}
