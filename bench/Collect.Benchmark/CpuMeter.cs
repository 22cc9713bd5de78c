using System.Globalization;

namespace Collect.Benchmark;

/// <summary>
/// CPU time over a window, for the whole machine (<c>/proc/stat</c>: busy, idle and stolen by the hypervisor) and for
/// each process of the stack (<c>/proc/PID/stat</c>: user + system time), grouped by what the process is. It shows
/// whether a phase was bound by the machine's cores, and which process spent them. Linux only; elsewhere a sample is
/// empty and the report says so.
/// </summary>
public static class CpuMeter
{
    public const string Runner = "runner (product: API, webhook, engine, worker)";
    public const string Sandbox = "HaiPay sandbox (provider and storefront)";
    public const string Azurite = "Azurite";
    public const string Benchmark = "benchmark (load client, storage request counter; bare engine and its sidecar)";

    private static readonly string[] Groups = [Runner, Sandbox, Azurite, Benchmark];

    /// <summary>Machine ticks and each process's ticks at one moment.</summary>
    public sealed record Sample(long Busy, long Idle, long Steal, IReadOnlyDictionary<int, (string Group, long Ticks)> Processes)
    {
        public static readonly Sample Empty = new(0, 0, 0, new Dictionary<int, (string, long)>());
    }

    /// <summary>What one window cost, in CPU seconds, by group.</summary>
    public sealed record Window(double BusySeconds, double IdleSeconds, double StealSeconds, IReadOnlyDictionary<string, double> Seconds)
    {
        public bool Measured => BusySeconds + IdleSeconds + StealSeconds > 0;

        /// <summary>Busy share of all the cores' time in the window (stolen time counted apart).</summary>
        public double BusyShare => BusySeconds / (BusySeconds + IdleSeconds + StealSeconds);

        public double StealShare => StealSeconds / (BusySeconds + IdleSeconds + StealSeconds);

        public double Of(string group) => Seconds.TryGetValue(group, out var s) ? s : 0;
    }

    public static Sample Take()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/proc/stat"))
        {
            return Sample.Empty;
        }
        // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is already in user).
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var busy = cpu[0] + cpu[1] + cpu[2] + cpu[5] + cpu[6];
        var idle = cpu[3] + cpu[4];
        var steal = cpu.Length > 7 ? cpu[7] : 0;
        var processes = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid))
            {
                continue;
            }
            try
            {
                var group = GroupOf(pid, File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' '));
                if (group is null)
                {
                    continue;
                }
                // Fields after the ")" that closes the command name: state is the 3rd field, utime the 14th, stime the 15th.
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                processes[pid] = (group, long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return new Sample(busy, idle, steal, processes);
    }

    /// <summary>The window from <paramref name="start"/> to now; a process that started in it counts from zero.</summary>
    public static Window Since(Sample start)
    {
        var end = Take();
        if (ReferenceEquals(start, Sample.Empty) || ReferenceEquals(end, Sample.Empty))
        {
            return new Window(0, 0, 0, new Dictionary<string, double>());
        }
        const double hz = TicksPerSecond;
        var seconds = Groups.ToDictionary(g => g, _ => 0.0);
        foreach (var (pid, (group, ticks)) in end.Processes)
        {
            var before = start.Processes.TryGetValue(pid, out var s) && s.Group == group ? s.Ticks : 0;
            seconds[group] += (ticks - before) / hz;
        }
        return new Window((end.Busy - start.Busy) / hz, (end.Idle - start.Idle) / hz, (end.Steal - start.Steal) / hz, seconds);
    }

    /// <summary>Prints the CPU table for the closed loops (Markdown).</summary>
    public static void Print(TextWriter o, Window product, int productOrders, Window bare, int bareOrders)
    {
        if (!product.Measured || !bare.Measured)
        {
            o.WriteLine("CPU: not measured (needs Linux /proc).");
            o.WriteLine();
            return;
        }
        string Ms(double seconds, int orders) => (seconds * 1000 / orders).ToString("0.0", CultureInfo.InvariantCulture);
        string Share(double share) => share.ToString("0%", CultureInfo.InvariantCulture);
        string Ratio(double productPerOrder, double barePerOrder) => (productPerOrder / barePerOrder).ToString("0.00", CultureInfo.InvariantCulture);
        o.WriteLine($"CPU during the closed loops (from the first create to the last final status; {Environment.ProcessorCount} cores; /proc):");
        o.WriteLine();
        o.WriteLine("| closed loop | product | bare engine | product / bare |");
        o.WriteLine("|---|---|---|---|");
        o.WriteLine($"| machine busy (share of all cores' time) | {Share(product.BusyShare)} | {Share(bare.BusyShare)} | |");
        o.WriteLine($"| stolen by the hypervisor | {Share(product.StealShare)} | {Share(bare.StealShare)} | |");
        foreach (var group in Groups)
        {
            o.WriteLine($"| CPU ms per order: {group} | {Ms(product.Of(group), productOrders)} | {Ms(bare.Of(group), bareOrders)} | |");
        }
        var (p, b) = (Groups.Sum(product.Of), Groups.Sum(bare.Of));
        o.WriteLine($"| **CPU ms per order, these processes** | {Ms(p, productOrders)} | {Ms(b, bareOrders)} | {Ratio(p / productOrders, b / bareOrders)} |");
        o.WriteLine($"| machine CPU ms per order (all processes) | {Ms(product.BusySeconds, productOrders)} | {Ms(bare.BusySeconds, bareOrders)} | {Ratio(product.BusySeconds / productOrders, bare.BusySeconds / bareOrders)} |");
        o.WriteLine();
    }

    private static string? GroupOf(int pid, string commandLine) =>
        pid == Environment.ProcessId ? Benchmark
        : commandLine.Contains("Collect.LocalRunner", StringComparison.Ordinal) ? Runner
        : commandLine.Contains("HaiPay.Sandbox", StringComparison.Ordinal) ? Sandbox
        : commandLine.Contains("azurite", StringComparison.OrdinalIgnoreCase) ? Azurite
        : null;

    /// <summary>/proc reports CPU time in USER_HZ ticks, 100 a second on every architecture .NET runs on (<c>getconf CLK_TCK</c>).</summary>
    private const double TicksPerSecond = 100;
}
