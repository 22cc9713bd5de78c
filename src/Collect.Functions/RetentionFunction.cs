using System.Runtime.ExceptionServices;
using Collect.Core.Operations;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Collect.Functions;

/// <summary>
/// The retention jobs on a timer trigger (a singleton across the app's instances; runs never overlap): the engine's
/// history, then customers' contact details. One failing does not stop the other; the run then fails with its error.
/// </summary>
public sealed class RetentionFunction(HistoryRetention history, CustomerDataRetention customerData)
{
    public const string Name = "Retention";

    [Function(Name)]
    public async Task RunAsync(
        [TimerTrigger(HistoryRetention.Schedule)] TimerInfo timer,
        [DurableClient] DurableTaskClient durable,
        FunctionContext context)
    {
        ExceptionDispatchInfo? failed = null;
        try
        {
            await history.RunAsync(durable, context.CancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            failed = ExceptionDispatchInfo.Capture(ex);
        }
        await customerData.RunAsync(context.CancellationToken);
        failed?.Throw();
    }
}
