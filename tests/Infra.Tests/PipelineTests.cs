using TestSupport;
using YamlDotNet.RepresentationModel;

namespace Infra.Tests;

/// <summary>The build-test-deploy path in azure-pipelines.yml.</summary>
public sealed class PipelineTests
{
    private static readonly YamlMappingNode Pipeline = Load();

    [Fact]
    public void Stages_are_Build_then_the_Functions_host_then_deploy_dev_then_deploy_prod()
    {
        var names = Stages().Select(stage => Scalar(stage, "stage")).ToList();

        Assert.Equal(["Build", "FunctionsHost", "deploy_dev", "deploy_prod"], names);
        Assert.Equal(["Build"], DependsOn(Stage("FunctionsHost")));
        Assert.Equal(["Build", "FunctionsHost"], DependsOn(Stage("deploy_dev")));
        Assert.Equal(["deploy_dev"], DependsOn(Stage("deploy_prod")));
        Assert.Null(Scalar(Stage("FunctionsHost"), "condition"));
    }

    [Fact]
    public void The_Functions_host_stage_runs_the_end_to_end_suite_against_the_zip_that_deploys_under_Core_Tools()
    {
        var steps = Steps(Stage("FunctionsHost")).ToList();
        var download = IndexOf(steps, step => Scalar(step, "download") == "current" && Scalar(step, "artifact") == "functions");
        var coreTools = IndexOf(steps, step => Scalar(step, "script")?.Contains("azure-functions-core-tools@$(coreToolsVersion)", StringComparison.Ordinal) == true);
        var npm = IndexOf(steps, step => Scalar(step, "script")?.StartsWith("npm ci", StringComparison.Ordinal) == true);
        var chromium = IndexOf(steps, step => Scalar(step, "script")?.Contains("/usr/bin/chromium", StringComparison.Ordinal) == true);
        var unzip = IndexOf(steps, step => Scalar(step, "script")?.Contains("unzip", StringComparison.Ordinal) == true);
        var test = IndexOf(steps, step => Scalar(step, "script")?.StartsWith("dotnet test tests/Collect.EndToEnd.Tests", StringComparison.Ordinal) == true);

        Assert.Equal("4", Scalar((YamlMappingNode)Pipeline["variables"], "coreToolsVersion"));
        Assert.Contains("func --version", Scalar(steps[coreTools], "script"));
        Assert.Contains("$(Pipeline.Workspace)/functions/collect-functions.zip", Scalar(steps[unzip], "script"));
        var environment = (YamlMappingNode)steps[test]["env"];
        Assert.Equal("functions", Scalar(environment, "COLLECT_E2E_HOST"));
        Assert.Contains("functions-app", Scalar(environment, "COLLECT_E2E_FUNCTIONS_APP"));
        Assert.Contains(Scalar(environment, "COLLECT_E2E_FUNCTIONS_APP")!, Scalar(steps[unzip], "script"));
        Assert.Contains("--filter \"Host!=RunnerOnly\"", Scalar(steps[test], "script"));
        Assert.True(new[] { download, coreTools, npm, chromium, unzip }.All(step => step < test), "Everything the suite starts must be in place first.");
        Assert.Equal("succeededOrFailed()", Scalar(steps.Single(step => Scalar(step, "task") == "PublishTestResults@2"), "condition"));
    }

    [Fact]
    public void The_end_to_end_suite_names_the_same_host_setting_and_trait_the_pipeline_uses()
    {
        var host = File.ReadAllText(RepositoryRoot.Combine("tests", "Collect.EndToEnd.Tests", "Stack", "ProductHost.cs"));

        Assert.Contains("\"COLLECT_E2E_HOST\"", host);
        Assert.Contains("\"COLLECT_E2E_FUNCTIONS_APP\"", host);
        Assert.Contains("RunnerOnlyTrait = \"Host\"", host);
        Assert.Contains("RunnerOnly = \"RunnerOnly\"", host);
    }

    [Theory]
    [InlineData("deploy_dev")]
    [InlineData("deploy_prod")]
    public void After_the_code_deploys_the_smoke_probe_checks_the_deployed_app(string stageName)
    {
        var steps = Steps(Stage(stageName)).ToList();
        var infra = IndexOf(steps, step => Scalar(step, "task") == "AzureCLI@2");
        var code = IndexOf(steps, step => Scalar(step, "task") == "AzureFunctionApp@2" && Input(step, "appName") == "$(functionAppName)");
        var smoke = IndexOf(steps, step => Scalar(step, "script")?.Contains("smoke.sh", StringComparison.Ordinal) == true);

        Assert.True(code < smoke, "Probe the code that was just deployed.");
        Assert.Equal("bash '$(Pipeline.Workspace)/smoke/smoke.sh' 'https://$(functionAppHostName)'", Scalar(steps[smoke], "script"));
        Assert.Null(Scalar(steps[smoke], "condition"));
        Assert.Contains("##vso[task.setvariable variable=functionAppHostName]$(jq -r .functionAppDefaultHostName.value", Input(steps[infra], "inlineScript"));
        var published = Assert.Single(Steps(Stage("Build")), step => Scalar(step, "task") == "PublishPipelineArtifact@1" && Input(step, "artifact") == "smoke");
        Assert.Equal("scripts/smoke.sh", Input(published, "targetPath"));
        Assert.True(File.Exists(RepositoryRoot.Combine(Input(published, "targetPath").Split('/'))));
        Assert.Contains("output functionAppDefaultHostName string", File.ReadAllText(RepositoryRoot.Combine("infra", "main.bicep")));
    }

    [Fact]
    public void Build_runs_the_README_test_command_with_dotnet_10_node_22_and_chromium()
    {
        var steps = Steps(Stage("Build")).ToList();

        var dotnet = IndexOf(steps, step => Scalar(step, "task") == "UseDotNet@2");
        var node = IndexOf(steps, step => Scalar(step, "task") == "NodeTool@0");
        var npm = IndexOf(steps, step => Scalar(step, "script")?.StartsWith("npm ci", StringComparison.Ordinal) == true);
        var chromium = IndexOf(steps, step => Scalar(step, "script") is { } script
            && script.Contains("apt-get install", StringComparison.Ordinal) && script.Contains("chromium", StringComparison.Ordinal));
        var test = IndexOf(steps, step => Scalar(step, "script")?.Trim() == "./scripts/test.sh");

        Assert.StartsWith("10.", Input(steps[dotnet], "version"));
        Assert.StartsWith("22", Input(steps[node], "versionSpec"));
        Assert.True(dotnet < test && node < test && npm < test && chromium < test, "The tools must be in place before ./scripts/test.sh.");
        Assert.Equal("ubuntu-latest", Scalar((YamlMappingNode)Job(Stage("Build"))["pool"], "vmImage"));
        Assert.True(File.Exists(RepositoryRoot.Combine("scripts", "test.sh")));
    }

    [Fact]
    public void Build_publishes_the_trx_files_that_the_test_command_writes()
    {
        var steps = Steps(Stage("Build")).ToList();
        var publish = Assert.Single(steps, step => Scalar(step, "task") == "PublishTestResults@2");

        Assert.Equal("VSTest", Input(publish, "testResultsFormat"));
        Assert.StartsWith("TestResults/", Input(publish, "testResultsFiles"));
        Assert.EndsWith(".trx", Input(publish, "testResultsFiles"));
        Assert.Equal("succeededOrFailed()", Scalar(publish, "condition"));
        var testScript = File.ReadAllText(RepositoryRoot.Combine("scripts", "test.sh"));
        Assert.Contains("--results-directory TestResults", testScript);
        Assert.Contains("--logger trx", testScript);
    }

    [Fact]
    public void Build_publishes_the_function_app_zip_and_the_infra_folder_after_testing()
    {
        var steps = Steps(Stage("Build")).ToList();
        var test = IndexOf(steps, step => Scalar(step, "script")?.Trim() == "./scripts/test.sh");
        var publish = IndexOf(steps, step => Scalar(step, "script")?.Contains("dotnet publish src/Collect.Functions", StringComparison.Ordinal) == true);
        var archive = IndexOf(steps, step => Scalar(step, "task") == "ArchiveFiles@2");
        var functionsArtifact = IndexOf(steps, step => Scalar(step, "task") == "PublishPipelineArtifact@1" && Input(step, "artifact") == "functions");
        var infraArtifact = IndexOf(steps, step => Scalar(step, "task") == "PublishPipelineArtifact@1" && Input(step, "artifact") == "infra");

        var publishCommand = Scalar(steps[publish], "script")!;
        Assert.Contains("--configuration Release", publishCommand);
        Assert.Contains($"--output {Input(steps[archive], "rootFolderOrFile")}", publishCommand);
        Assert.Equal("zip", Input(steps[archive], "archiveType"));
        Assert.Equal("false", Input(steps[archive], "includeRootFolder"));
        Assert.Equal($"{Input(steps[functionsArtifact], "targetPath")}/collect-functions.zip", Input(steps[archive], "archiveFile"));
        Assert.Equal("infra", Input(steps[infraArtifact], "targetPath"));
        Assert.True(test < publish && publish < archive && archive < functionsArtifact, "Package only what passed the tests.");
    }

    [Theory]
    [InlineData("deploy_dev", "main.dev.bicepparam")]
    [InlineData("deploy_prod", "main.prod.bicepparam")]
    public void Deploy_stage_runs_Bicep_with_its_parameter_file_then_deploys_the_zip_to_Flex_Consumption(string stageName, string parameterFile)
    {
        var steps = Steps(Stage(stageName)).ToList();
        var infra = IndexOf(steps, step => Scalar(step, "task") == "AzureCLI@2");
        var code = IndexOf(steps, step => Scalar(step, "task") == "AzureFunctionApp@2" && Input(step, "appName") == "$(functionAppName)");

        var script = Input(steps[infra], "inlineScript");
        Assert.Equal("bash", Input(steps[infra], "scriptType"));
        Assert.Contains("az deployment group create", script);
        Assert.Contains("--template-file '$(Pipeline.Workspace)/infra/main.bicep'", script);
        Assert.Contains($"--parameters '$(Pipeline.Workspace)/infra/{parameterFile}'", script);
        Assert.Contains("##vso[task.setvariable variable=functionAppName]", script);
        Assert.True(File.Exists(RepositoryRoot.Combine("infra", parameterFile)));

        Assert.True(infra < code, "Infrastructure first, then code.");
        Assert.Equal("functionAppLinux", Input(steps[code], "appType"));
        Assert.Equal("true", Input(steps[code], "isFlexConsumption"));
        Assert.Equal("$(Pipeline.Workspace)/functions/collect-functions.zip", Input(steps[code], "package"));
        Assert.Equal(Input(steps[infra], "azureSubscription"), Input(steps[code], "azureSubscription"));
    }

    [Theory]
    [InlineData("deploy_dev")]
    [InlineData("deploy_prod")]
    public void Deploy_stage_deploys_DfMon_only_when_the_infrastructure_created_it(string stageName)
    {
        var steps = Steps(Stage(stageName)).ToList();
        var dfMon = Assert.Single(steps, step => Scalar(step, "task") == "AzureFunctionApp@2" && Input(step, "appName") == "$(dfMonAppName)");
        var download = Assert.Single(steps, step => Scalar(step, "script")?.Contains("DurableFunctionsMonitor.DotNetIsolated", StringComparison.Ordinal) == true);

        Assert.Contains("##vso[task.setvariable variable=dfMonAppName]", Input(steps.Single(step => Scalar(step, "task") == "AzureCLI@2"), "inlineScript"));
        Assert.Equal("and(succeeded(), ne(variables['dfMonAppName'], ''))", Scalar(dfMon, "condition"));
        Assert.Equal("and(succeeded(), ne(variables['dfMonAppName'], ''))", Scalar(download, "condition"));
        Assert.Equal("true", Input(dfMon, "isFlexConsumption"));
        Assert.Contains("dotnet nuget verify", Scalar(download, "script"));
    }

    [Fact]
    public void Prod_deploys_from_a_deployment_job_on_an_environment_that_carries_the_approvals()
    {
        var prod = Job(Stage("deploy_prod"));
        var dev = Job(Stage("deploy_dev"));

        Assert.NotNull(Scalar(prod, "deployment"));
        Assert.Equal("collect-prod", Scalar(prod, "environment"));
        Assert.NotEqual(Scalar(dev, "environment"), Scalar(prod, "environment"));
        Assert.NotEqual(
            Input(Steps(Stage("deploy_dev")).First(step => Scalar(step, "task") == "AzureCLI@2"), "azureSubscription"),
            Input(Steps(Stage("deploy_prod")).First(step => Scalar(step, "task") == "AzureCLI@2"), "azureSubscription"));
    }

    [Theory]
    [InlineData("deploy_dev")]
    [InlineData("deploy_prod")]
    public void Deploy_stages_run_for_main_only_never_for_pull_requests(string stageName)
    {
        var condition = Scalar(Stage(stageName), "condition")!;

        Assert.Contains("eq(variables['Build.SourceBranch'], 'refs/heads/main')", condition);
        Assert.Contains("ne(variables['Build.Reason'], 'PullRequest')", condition);
    }

    [Fact]
    public void Pipeline_names_its_service_connections_resource_groups_and_location_as_variables()
    {
        var variables = (YamlMappingNode)Pipeline["variables"];

        foreach (var name in new[] { "devServiceConnection", "prodServiceConnection", "devResourceGroup", "prodResourceGroup", "location" })
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(variables, name)), $"variable {name}");
        }
    }

    private static YamlMappingNode Load()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(RepositoryRoot.Combine("azure-pipelines.yml"));
        stream.Load(reader);
        return (YamlMappingNode)Assert.Single(stream.Documents).RootNode;
    }

    private static IEnumerable<YamlMappingNode> Stages() => ((YamlSequenceNode)Pipeline["stages"]).Cast<YamlMappingNode>();

    private static YamlMappingNode Stage(string name) => Assert.Single(Stages(), stage => Scalar(stage, "stage") == name);

    private static YamlMappingNode Job(YamlMappingNode stage) =>
        (YamlMappingNode)Assert.Single((YamlSequenceNode)stage["jobs"]);

    /// <summary>The steps of a stage's job: a plain job's steps, or a deployment job's runOnce deploy steps.</summary>
    private static IEnumerable<YamlMappingNode> Steps(YamlMappingNode stage)
    {
        var job = Job(stage);
        var steps = job.Children.ContainsKey("steps")
            ? job["steps"]
            : job["strategy"]["runOnce"]["deploy"]["steps"];
        return ((YamlSequenceNode)steps).Cast<YamlMappingNode>();
    }

    private static IReadOnlyList<string> DependsOn(YamlMappingNode stage) => stage["dependsOn"] switch
    {
        YamlScalarNode single => [single.Value!],
        YamlSequenceNode many => many.Cast<YamlScalarNode>().Select(node => node.Value!).ToList(),
        _ => [],
    };

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    private static string Input(YamlMappingNode step, string name) =>
        Scalar((YamlMappingNode)step["inputs"], name) ?? throw new KeyNotFoundException($"step has no input '{name}'.");

    private static int IndexOf(List<YamlMappingNode> steps, Func<YamlMappingNode, bool> match)
    {
        var index = steps.FindIndex(step => match(step));
        Assert.True(index >= 0, "Expected step not found.");
        return index;
    }
}
