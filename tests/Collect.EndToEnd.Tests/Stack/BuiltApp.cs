namespace Collect.EndToEnd;

/// <summary>
/// Where the apps under test are built: <c>src/{Project}/bin/{Configuration}/{framework}/{Project}.dll</c>, with the
/// configuration and framework this assembly was built with (its own output folder says which), so a Release test run
/// starts Release apps. The test project references them with <c>ReferenceOutputAssembly="false"</c> so they are built.
/// </summary>
public static class BuiltApp
{
    public static string LocalRunner => Dll("Collect.LocalRunner");

    public static string Sandbox => Dll("HaiPay.Sandbox");

    public static string Dll(string project)
    {
        var framework = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = framework.Parent?.Name
            ?? throw new InvalidOperationException($"Cannot tell the build configuration from {AppContext.BaseDirectory}.");
        return TestSupport.RepositoryRoot.Combine("src", project, "bin", configuration, framework.Name, project + ".dll");
    }
}
