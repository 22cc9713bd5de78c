using Collect.Core.Collection;
using Collect.Core.Events;
using Microsoft.DurableTask;
using Moq;

namespace Collect.Core.Tests.Events;

/// <summary>The delivery orchestration's schedule, played on a Moq context (every timer and attempt recorded in order).</summary>
public sealed class EventDeliveryOrchestratorTests
{
    private static readonly DateTime Start = new(2026, 12, 3, 9, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan[] Waits = [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5)];

    private static async Task<(DeliveryResult Result, List<string> Steps)> RunAsync(EventDeliveryInput input, params DeliveryResult[] answers)
    {
        var steps = new List<string>();
        var now = Start;
        var next = new Queue<DeliveryResult>(answers);
        var context = new Mock<TaskOrchestrationContext>(MockBehavior.Strict);
        context.SetupGet(c => c.CurrentUtcDateTime).Returns(() => now);
        context.Setup(c => c.CreateTimer(It.IsAny<DateTime>(), It.IsAny<CancellationToken>()))
            .Returns((DateTime fireAt, CancellationToken _) =>
            {
                steps.Add($"wait {(fireAt - now).TotalMinutes:0}m");
                now = fireAt;
                return Task.CompletedTask;
            });
        context.Setup(c => c.CallActivityAsync<DeliveryResult>(It.IsAny<TaskName>(), It.IsAny<object?>(), It.IsAny<TaskOptions?>()))
            .Returns((TaskName name, object? request, TaskOptions? _) =>
            {
                var attempt = (DeliveryRequest)request!;
                Assert.Equal(CollectionTasks.DeliverEventActivity, name);
                steps.Add($"attempt {attempt.Attempt}{(attempt.IsLast ? " last" : "")}");
                return Task.FromResult(next.Dequeue());
            });
        var result = await new EventDeliveryOrchestrator().RunAsync(context.Object, input);
        return (result, steps);
    }

    [Fact]
    public async Task A_delivery_attempts_now_then_after_each_wait_until_the_last_attempt()
    {
        var (result, steps) = await RunAsync(new EventDeliveryInput("ORD-1", 1, Waits),
            DeliveryResult.Retry, DeliveryResult.Retry, DeliveryResult.GaveUp);

        Assert.Equal(DeliveryResult.GaveUp, result);
        Assert.Equal(["attempt 1", "wait 1m", "attempt 2", "wait 5m", "attempt 3 last"], steps);
    }

    [Fact]
    public async Task After_the_writers_failed_first_attempt_it_starts_with_the_first_wait_and_goes_on_from_attempt_two()
    {
        var (result, steps) = await RunAsync(new EventDeliveryInput("ORD-1", 1, Waits, FirstAttemptMade: true),
            DeliveryResult.Retry, DeliveryResult.Delivered);

        Assert.Equal(DeliveryResult.Delivered, result);
        Assert.Equal(["wait 1m", "attempt 2", "wait 5m", "attempt 3 last"], steps);
    }

    [Fact]
    public async Task An_operators_redelivery_goes_on_from_the_last_attempt_number_and_stops_when_delivered()
    {
        var (result, steps) = await RunAsync(new EventDeliveryInput("ORD-1", 1, Waits, FirstAttempt: 18, Kind: "manual"),
            DeliveryResult.Delivered);

        Assert.Equal(DeliveryResult.Delivered, result);
        Assert.Equal(["attempt 18"], steps);
    }
}
