using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Collect.EndToEnd;

/// <summary>
/// An app started as its own process (<c>dotnet app.dll args</c>, or any command) with its stdout and stderr kept in memory (the
/// last <see cref="MaxLines"/> lines), so a failing test can show what the app said. Disposing kills it.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    public const int MaxLines = 20_000;

    private readonly Process _process;
    private readonly ConcurrentQueue<(long Number, string Text)> _lines = new();
    private readonly IDisposable _exitCleanup;
    private long _lineCount;

    private ChildProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _exitCleanup = ExitCleanup.Register(Kill);
    }

    /// <summary>Short name used as the prefix of its output lines.</summary>
    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Lines written so far; pass it to <see cref="OutputSince"/> later.</summary>
    public long LineCount => Interlocked.Read(ref _lineCount);

    /// <summary>Starts <c>dotnet {dll} {arguments}</c> in the dll's folder (its content root).</summary>
    public static ChildProcess StartDotnet(string name, string dll, IEnumerable<string> arguments)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"{dll} is not built. Build the solution first (the test project references it).", dll);
        }
        return Start(name, "dotnet", Path.GetDirectoryName(dll)!, [dll, .. arguments]);
    }

    /// <summary>Starts <paramref name="command"/> in <paramref name="workingDirectory"/>, with <paramref name="environment"/> added to this process's.</summary>
    public static ChildProcess Start(
        string name, string command, string workingDirectory, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(name, process);
        process.OutputDataReceived += (_, e) => child.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => child.Keep(e.Data is null ? null : "[stderr] " + e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{name} did not start.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The output lines numbered above <paramref name="lineCount"/>, each prefixed with the name.</summary>
    public string OutputSince(long lineCount = 0)
    {
        var text = new StringBuilder();
        foreach (var (number, line) in _lines)
        {
            if (number > lineCount)
            {
                text.Append('[').Append(Name).Append("] ").AppendLine(line);
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// SIGTERM (a graceful shutdown, as Ctrl-C or a container stop), then SIGKILL if it is still running after
    /// <paramref name="grace"/>. On Windows, only the kill.
    /// </summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }
        if (!OperatingSystem.IsWindows() && SendSignal(_process.Id, SigTerm) == 0)
        {
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }
        Kill();
    }

    /// <summary>SIGKILL on Linux: the process gets no chance to clean up. Waits until it is gone.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Never started or already reaped.
        }
    }

    public void Dispose()
    {
        Kill();
        _exitCleanup.Dispose();
        _process.Dispose();
    }

    private const int SigTerm = 15;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue((Interlocked.Increment(ref _lineCount), line));
        while (_lines.Count > MaxLines && _lines.TryDequeue(out _))
        {
        }
    }
}
