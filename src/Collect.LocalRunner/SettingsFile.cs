using Microsoft.Extensions.Configuration.Json;

namespace Collect.LocalRunner;

/// <summary>
/// The merchant-side HaiPay settings the sandbox writes (<c>--SettingsFile path</c>, a JSON file in configuration
/// shape). It is the lowest configuration layer, so appsettings, environment variables and the command line still win.
/// </summary>
public static class SettingsFile
{
    /// <summary>The configuration key naming the file.</summary>
    public const string SettingName = "SettingsFile";

    /// <summary>
    /// Inserts the file named by <see cref="SettingName"/> (relative paths against the current directory) below every
    /// other source. Nothing happens when the setting is empty; a missing file throws <see cref="FileNotFoundException"/>.
    /// </summary>
    public static void AddAsLowestLayer(ConfigurationManager configuration)
    {
        if (configuration[SettingName] is not { Length: > 0 } path)
        {
            return;
        }
        var settings = new JsonConfigurationSource { Path = Path.GetFullPath(path), Optional = false };
        settings.ResolveFileProvider();
        configuration.Sources.Insert(0, settings);
    }
}
