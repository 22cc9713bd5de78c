using Xunit;

namespace TestSupport;

/// <summary>
/// A browser test: runs when Debian's Chromium is installed (<see cref="ChromiumPath"/>). Without it the test is
/// skipped locally, but runs (and fails through <see cref="RequireChromium"/>) when <c>CI=true</c>, so CI can never
/// pass by skipping browser tests.
/// </summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    /// <summary>Debian's chromium package installs here; <c>CHROMIUM_PATH</c> overrides it.</summary>
    public static string ChromiumPath { get; } =
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";

    /// <summary>True when <c>CI</c> is <c>true</c> (case-insensitive).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath) && !IsCi)
        {
            Skip = $"Chromium not found at {ChromiumPath} (apt-get install chromium); skipped outside CI.";
        }
    }

    /// <summary>The Chromium executable; throws a clear message when it is missing (the CI case).</summary>
    public static string RequireChromium()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"Browser tests need Chromium at {ChromiumPath} and CI=true forbids skipping them. " +
                "Install Debian's package: apt-get install chromium (never 'playwright install').");
        }
        return ChromiumPath;
    }

    /// <summary>Arguments for headless Chromium in a container: no sandbox, GPU, QUIC, first-run or background traffic.</summary>
    public static IReadOnlyList<string> HeadlessArguments { get; } =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];
}
