using Collect.LocalRunner.Engine;
using TestSupport;

namespace Collect.LocalRunner.Tests;

/// <summary>Engine options as the runner builds them: the repository's host.json, the settings that ship.</summary>
internal static class ShippedEngine
{
    public static string HostJson => RepositoryRoot.Combine("host.json");

    public static DurableEngineOptions Options(string workerId) =>
        HostJsonEngineSettings.Apply(HostJson, new DurableEngineOptions { WorkerId = workerId });
}
