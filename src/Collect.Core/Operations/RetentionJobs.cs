using System.Runtime.ExceptionServices;
using Microsoft.DurableTask.Client;

namespace Collect.Core.Operations;

/// <summary>
/// One retention run, as both hosts' timers make it: the engine's history, then customers' contact details. One
/// failing does not stop the other; the run then fails with what failed (both, when both did).
/// </summary>
public sealed class RetentionJobs(HistoryRetention history, CustomerDataRetention customerData)
{
    public async Task RunAsync(DurableTaskClient durable, CancellationToken cancellationToken = default)
    {
        Exception? historyFailed = null;
        try
        {
            await history.RunAsync(durable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            historyFailed = ex;
        }
        try
        {
            await customerData.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && historyFailed is not null)
        {
            throw new AggregateException("Both retention jobs failed.", historyFailed, ex);
        }
        if (historyFailed is not null)
        {
            ExceptionDispatchInfo.Throw(historyFailed);
        }
    }
}
