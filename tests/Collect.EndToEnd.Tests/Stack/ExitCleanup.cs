using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Collect.EndToEnd;

/// <summary>
/// Last-resort cleanup when this process ends without disposing what it started (an unhandled exception, Ctrl-C or
/// SIGTERM of the benchmark, a test host being stopped): registered actions run on <see cref="AppDomain.ProcessExit"/>,
/// <see cref="AppDomain.UnhandledException"/> and SIGINT / SIGTERM / SIGHUP (which on Linux end the process without
/// raising ProcessExit), so child processes are not left running.
/// </summary>
public static class ExitCleanup
{
    private static readonly ConcurrentDictionary<long, Action> Actions = new();
    private static readonly List<PosixSignalRegistration> Signals = [];
    private static long _next;

    static ExitCleanup()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => RunAll();
        AppDomain.CurrentDomain.UnhandledException += (_, _) => RunAll();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            // Not cancelled: the signal's default action (ending the process) follows the cleanup.
            Signals.Add(PosixSignalRegistration.Create(signal, _ => RunAll()));
        }
    }

    /// <summary>Registers <paramref name="cleanup"/>; disposing the result unregisters it (the normal, disposed case).</summary>
    public static IDisposable Register(Action cleanup)
    {
        var id = Interlocked.Increment(ref _next);
        Actions[id] = cleanup;
        return new Registration(id);
    }

    private static void RunAll()
    {
        foreach (var id in Actions.Keys)
        {
            if (Actions.TryRemove(id, out var cleanup))
            {
                try
                {
                    cleanup();
                }
                catch (Exception)
                {
                    // Best effort while the process ends.
                }
            }
        }
    }

    private sealed class Registration(long id) : IDisposable
    {
        public void Dispose() => Actions.TryRemove(id, out _);
    }
}
