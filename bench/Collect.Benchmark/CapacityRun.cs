using System.Diagnostics;
using System.Globalization;
using System.Net;
using Collect.EndToEnd;
using Microsoft.DurableTask.Client;

namespace Collect.Benchmark;

/// <summary>
/// One step of an open-loop run: orders started at a fixed rate for the step's length, whether or not earlier ones
/// have finished, and what their create → payUrl times were.
/// </summary>
public sealed record CapacityStep(double Rate, int Started, int Errors, int Missed, Percentiles ToPayUrl, double StartedPerSecond)
{
    /// <summary>The p95 create → payUrl a sustained step stays within.</summary>
    public static readonly TimeSpan MaxP95 = TimeSpan.FromSeconds(2);

    /// <summary>Sustained: every order started on time, none failed, every one had its payUrl, p95 within <see cref="MaxP95"/>.</summary>
    public bool Sustained => Errors == 0 && Missed == 0 && ToPayUrl[95] <= MaxP95 && StartedPerSecond >= Rate * 0.95;

    public string Row(string who) =>
        $"| {who} | {Rate.ToString("0.#", CultureInfo.InvariantCulture)} | {StartedPerSecond:0.00} | {Started} | {Errors} | {Missed} | {ToPayUrl} | {(Sustained ? "yes" : "no")} |";
}

/// <summary>
/// The open-loop capacity run: for each rate (orders per second) in turn, starts orders at that fixed rate for the step's
/// length, independent of completions, and records create → payUrl; stops at the first step that is not sustained
/// (p95 above <see cref="CapacityStep.MaxP95"/>, an error, or an order with no payUrl within <see cref="GiveUpAfter"/>).
/// The client stops polling once it has the payUrl: the rest of each order (the customer paying, the callback, the
/// confirming query, the storefront events; for the bare engine the raised event) still runs, as load.
/// </summary>
public static class CapacityRun
{
    /// <summary>An order with no payUrl this long after its start counts as missed (backlog).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(15);

    /// <summary>Pause between steps, so each starts with the previous step's orders mostly settled.</summary>
    public static readonly TimeSpan BetweenSteps = TimeSpan.FromSeconds(5);

    /// <summary>Runs the steps; <paramref name="one"/> starts order <c>index</c> and returns its time to payUrl, or null when missed.</summary>
    public static async Task<IReadOnlyList<CapacityStep>> RunAsync(
        IReadOnlyList<double> rates, TimeSpan stepLength, Func<int, Task<TimeSpan?>> one, string who, TextWriter progress)
    {
        var steps = new List<CapacityStep>();
        var index = 0;
        foreach (var rate in rates)
        {
            var count = (int)Math.Round(rate * stepLength.TotalSeconds);
            var runs = new List<Task<TimeSpan?>>(count);
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                if (due > clock.Elapsed)
                {
                    await Task.Delay(due - clock.Elapsed);
                }
                var n = index++;
                runs.Add(Task.Run(() => one(n)));
            }
            // Started per second over the arrivals (the last start is at (count - 1) / rate).
            var startedPerSecond = count <= 1 ? rate : (count - 1) / clock.Elapsed.TotalSeconds;
            var times = new List<TimeSpan>();
            var errors = 0;
            var missed = 0;
            foreach (var run in runs)
            {
                try
                {
                    if (await run is { } time)
                    {
                        times.Add(time);
                    }
                    else
                    {
                        missed++;
                    }
                }
                catch (Exception)
                {
                    errors++;
                }
            }
            var step = new CapacityStep(rate, count, errors, missed, new Percentiles(times), startedPerSecond);
            steps.Add(step);
            progress.WriteLine($"  {who} {rate:0.#}/s: p95 {step.ToPayUrl[95].TotalMilliseconds:0} ms, {errors} errors, {missed} missed, {(step.Sustained ? "sustained" : "not sustained")}");
            if (!step.Sustained)
            {
                break;
            }
            await Task.Delay(BetweenSteps);
        }
        return steps;
    }

    /// <summary>The highest rate sustained before the first step that was not (0 when the first was not).</summary>
    public static double Highest(IReadOnlyList<CapacityStep> steps) =>
        steps.TakeWhile(s => s.Sustained).Select(s => s.Rate).DefaultIfEmpty(0).Max();

    /// <summary>A storefront's create: POST, then (on 202) GET every 200 ms until the payUrl; no polling after it.</summary>
    public static Func<int, Task<TimeSpan?>> Product(OrdersApi orders, string prefix) => async index =>
    {
        var clock = Stopwatch.StartNew();
        var orderId = OrderRequest.NewOrderId($"{prefix}{index:D5}");
        var created = await orders.CreateAsync(OrderRequest.Hkd(orderId));
        if (created.Status is not (HttpStatusCode.Created or HttpStatusCode.Accepted))
        {
            throw new InvalidOperationException($"Create {orderId} answered {created}");
        }
        var view = created.View;
        while (view.PayUrl is null)
        {
            if (clock.Elapsed > GiveUpAfter)
            {
                return null;
            }
            await Task.Delay(ProductLoad.PayUrlPollInterval);
            view = await orders.GetAsync(orderId) ?? throw new InvalidOperationException($"Order {orderId} disappeared.");
        }
        return clock.Elapsed;
    };

    /// <summary>The bare engine's counterpart: schedule, poll every 200 ms until the payUrl, then (as load) raise the event after the customer's wait.</summary>
    public static Func<int, Task<TimeSpan?>> Bare(BareEngine engine, string prefix, TimeSpan payAfter) => async index =>
    {
        var clock = Stopwatch.StartNew();
        var instanceId = $"{prefix}-{index:D5}";
        var client = engine.Client;
        await client.ScheduleNewOrchestrationInstanceAsync(BareEngine.Orchestrator, instanceId, new Microsoft.DurableTask.StartOrchestrationOptions(instanceId));
        while (!BareEngine.HasPayUrl(await client.GetInstanceAsync(instanceId, getInputsAndOutputs: true)))
        {
            if (clock.Elapsed > GiveUpAfter)
            {
                return null;
            }
            await Task.Delay(ProductLoad.PayUrlPollInterval);
        }
        var toPayUrl = clock.Elapsed;
        await Task.Delay(payAfter);
        await client.RaiseEventAsync(instanceId, BareEngine.Event, 2);
        return toPayUrl;
    };
}
