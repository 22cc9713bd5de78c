using System.Diagnostics;
using System.Reflection;

namespace Infra.Tests;

/// <summary>What one Bicep CLI run printed and how it ended.</summary>
public sealed record BicepResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Everything printed, for assertion messages (diagnostics go to either stream).</summary>
    public string Output => (StandardOutput + StandardError).Trim();
}

/// <summary>
/// Runs the Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 NuGet package (its path is baked into this
/// assembly at build time), with a fixed set of the environment variables the parameter files read.
/// </summary>
public static class BicepCli
{
    /// <summary>Every environment variable infra/*.bicepparam reads with readEnvironmentVariable.</summary>
    public static readonly IReadOnlyList<string> ParameterVariables =
    [
        "HAIPAY_BASE_URL",
        "HAIPAY_HKD_APP_ID",
        "HAIPAY_USD_APP_ID",
        "HAIPAY_PLATFORM_PUBLIC_KEY",
        "KEYVAULT_SECRETS_OFFICERS",
        "DFMON_ENTRA_CLIENT_ID",
        "DFMON_ALLOWED_USER_NAMES",
        "DFMON_ALLOWED_APP_ROLES",
        "ALERT_EMAIL",
    ];

    /// <summary>The values a pipeline variable group must at least provide (the rest are optional).</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredParameterEnvironment = new Dictionary<string, string>
    {
        ["HAIPAY_BASE_URL"] = "https://haipay-production.example",
        ["HAIPAY_HKD_APP_ID"] = "100001",
        ["HAIPAY_USD_APP_ID"] = "100002",
        ["ALERT_EMAIL"] = "oncall@merchant.example",
    };

    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(3);

    private static readonly Lazy<string> Executable = new(LocateExecutable);

    /// <summary>Runs bicep with the required parameter environment.</summary>
    public static BicepResult Run(params string[] arguments) => Run(RequiredParameterEnvironment, arguments);

    /// <summary>
    /// Runs bicep with exactly <paramref name="environment"/> as the parameter-file variables: any of
    /// <see cref="ParameterVariables"/> not in it is removed, so the machine's own environment cannot leak in.
    /// </summary>
    public static BicepResult Run(IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Executable.Value)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestSupport.RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var name in ParameterVariables)
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bicep did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync();
        var standardError = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} did not finish within {Limit}.");
        }
        return new BicepResult(process.ExitCode, standardOutput.Result, standardError.Result);
    }

    private static string LocateExecutable()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The infra tests run the linux-x64 Bicep CLI.");
        }
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(attribute => attribute.Key == "BicepExecutable").Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Bicep CLI not found at '{path}'. It comes from the Azure.Bicep.CommandLine.linux-x64 package: run dotnet restore.");
        }

        // NuGet extraction does not always keep the execute bit.
        var mode = File.GetUnixFileMode(path);
        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
        return path;
    }
}
