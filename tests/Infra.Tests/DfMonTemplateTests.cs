namespace Infra.Tests;

/// <summary>The optional Durable Functions Monitor (standalone, read-only, Entra ID sign-in) in infra/main.bicep.</summary>
public sealed class DfMonTemplateTests
{
    // Built-in role definition ids.
    private const string StorageTableDataReader = "76199698-9eea-4c19-bc75-cec21354c6b6";
    private const string StorageBlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string StorageBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static readonly ArmTemplate Main = CompiledTemplates.Main;
    private static readonly ArmTemplate DfMon = Main.Module("dfMon");

    [Fact]
    public void DfMon_is_off_unless_asked_for()
    {
        Assert.False(Main.Parameters["deployDfMon"]!["defaultValue"]!.GetValue<bool>());
        Assert.Equal("[parameters('deployDfMon')]", Main.Resources["dfMon"]["condition"]!.GetValue<string>());
    }

    [Fact]
    public void DfMon_runs_on_its_own_Flex_Consumption_plan_over_https_only()
    {
        var plan = DfMon.SingleOfType("Microsoft.Web/serverfarms");
        var site = DfMon.SingleOfType("Microsoft.Web/sites");
        var properties = site["properties"]!;

        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.True(properties["httpsOnly"]!.GetValue<bool>());
        Assert.Equal("1.2", properties["siteConfig"]!["minTlsVersion"]!.GetValue<string>());
        Assert.Equal("Disabled", properties["siteConfig"]!["ftpsState"]!.GetValue<string>());
        Assert.Equal("dotnet-isolated", properties["functionAppConfig"]!["runtime"]!["name"]!.GetValue<string>());
        Assert.NotEqual(
            Main.Module("functionApp").Resolve("[parameters('planName')]"),
            DfMon.Resolve("[parameters('planName')]"));
    }

    [Fact]
    public void DfMon_requires_Entra_ID_sign_in_for_every_request()
    {
        var auth = DfMon.SiteConfig("authsettingsV2")["properties"]!;
        var entra = auth["identityProviders"]!["azureActiveDirectory"]!;

        Assert.True(auth["platform"]!["enabled"]!.GetValue<bool>());
        Assert.True(auth["globalValidation"]!["requireAuthentication"]!.GetValue<bool>());
        Assert.Equal("RedirectToLoginPage", auth["globalValidation"]!["unauthenticatedClientAction"]!.GetValue<string>());
        Assert.True(auth["httpSettings"]!["requireHttps"]!.GetValue<bool>());
        Assert.True(entra["enabled"]!.GetValue<bool>());
        Assert.Equal("main:[parameters('dfMonEntraClientId')]", DfMon.Resolve(entra["registration"]!["clientId"]!.GetValue<string>()));
        Assert.Contains("parameters('entraTenantId')", entra["registration"]!["openIdIssuer"]!.GetValue<string>());
    }

    [Fact]
    public void DfMon_is_read_only_bound_to_the_app_task_hub_and_storage_without_a_nonce()
    {
        var settings = ArmTemplate.Text(DfMon.SiteConfig("appsettings")["properties"]!);

        Assert.Contains("'DFM_MODE', 'ReadOnly'", settings);
        Assert.Contains("'DFM_HUB_NAME', parameters('taskHubName')", settings);
        Assert.Contains("'AzureWebJobsStorage__credential', 'managedidentity'", settings);
        Assert.Contains("'AzureWebJobsStorage__tableServiceUri', parameters('tableEndpoint')", settings);
        Assert.DoesNotContain("DFM_NONCE", settings);
        Assert.DoesNotContain("'AzureWebJobsStorage',", settings);
        Assert.Equal("main:[parameters('taskHubName')]", DfMon.Resolve("[parameters('taskHubName')]"));
        Assert.Equal("main:[reference('storage').outputs.tableEndpoint.value]", DfMon.Resolve("[parameters('tableEndpoint')]"));
    }

    [Fact]
    public void DfMon_access_filters_are_set_only_when_given()
    {
        var filters = DfMon.Variable("accessFilters");

        Assert.Contains("if(empty(parameters('allowedUserNames')), createObject(), createObject('DFM_ALLOWED_USER_NAMES', parameters('allowedUserNames')))", filters);
        Assert.Contains("if(empty(parameters('allowedAppRoles')), createObject(), createObject('DFM_ALLOWED_APP_ROLES', parameters('allowedAppRoles')))", filters);
    }

    [Fact]
    public void DfMon_identity_can_read_the_task_hub_but_write_only_its_own_containers()
    {
        var dfMonIdentity = $"main:{DfMon.PassedParameter("identityName")}";
        var appIdentity = $"main:{Main.Resources["appIdentity"]["name"]!.GetValue<string>()}";
        Assert.NotEqual(appIdentity, dfMonIdentity);

        var assignments = RoleAssignment.All(Main).Where(assignment => assignment.Principal == dfMonIdentity).ToList();

        var accountRoles = assignments
            .Where(assignment => assignment.ScopeType == "Microsoft.Storage/storageAccounts")
            .Select(assignment => assignment.RoleDefinitionId)
            .Order()
            .ToList();
        Assert.Equal(new[] { StorageTableDataReader, StorageBlobDataReader }.Order(), accountRoles);
        var containerAssignment = Assert.Single(assignments, assignment => assignment.ScopeType == "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal(StorageBlobDataContributor, containerAssignment.RoleDefinitionId);
        var telemetry = Assert.Single(assignments, assignment => assignment.ScopeType == "Microsoft.Insights/components");
        Assert.Equal(MonitoringMetricsPublisher, telemetry.RoleDefinitionId);
        Assert.Equal(4, assignments.Count);
    }

    [Fact]
    public void DfMon_writable_containers_are_its_package_and_the_host_key_and_lock_containers()
    {
        Assert.Equal("main:[variables('dfMonDeploymentContainerName')]", DfMon.Resolve("[parameters('deploymentContainerName')]"));
        Assert.Equal("dfmon-package", Main.Variable("dfMonDeploymentContainerName"));
        Assert.Equal("[\"azure-webjobs-hosts\",\"azure-webjobs-secrets\"]", Main.Variable("hostContainerNames"));
        var containers = Main.Module("storage").PassedParameter("containerNames");
        Assert.Contains("if(parameters('deployDfMon'), concat(variables('hostContainerNames'), createArray(variables('dfMonDeploymentContainerName')))", containers);
    }
}
