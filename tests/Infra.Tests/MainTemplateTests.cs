using System.Text.Json.Nodes;

namespace Infra.Tests;

/// <summary>Security and wiring of the compiled infra/main.bicep (all modules included).</summary>
public sealed class MainTemplateTests
{
    // Built-in role definition ids.
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string KeyVaultSecretsUser = "4633458b-17de-408a-b874-0445c86b69e6";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";
    private const string DurableTaskDataContributor = "0ad04412-c4d5-4796-b79c-f76d14c8d402";
    private const string DurableTaskDataReader = "d6a5505f-6ebb-45a4-896e-ac8274cfc0ac";

    private static readonly ArmTemplate Main = CompiledTemplates.Main;

    [Fact]
    public void Storage_account_accepts_only_Entra_ID_over_TLS_1_2_https()
    {
        var storage = Main.Module("storage").SingleOfType("Microsoft.Storage/storageAccounts");
        var properties = storage["properties"]!;

        Assert.False(properties["allowSharedKeyAccess"]!.GetValue<bool>());
        Assert.Equal("TLS1_2", properties["minimumTlsVersion"]!.GetValue<string>());
        Assert.True(properties["supportsHttpsTrafficOnly"]!.GetValue<bool>());
        Assert.False(properties["allowBlobPublicAccess"]!.GetValue<bool>());
    }

    [Fact]
    public void Storage_account_has_the_deployment_container_and_the_orders_and_audit_tables()
    {
        var storageModule = Main.Module("storage");

        Assert.Equal("app-package", Main.Variable("deploymentContainerName"));
        Assert.Contains("variables('deploymentContainerName')", storageModule.PassedParameter("containerNames"));
        Assert.Equal("[\"[parameters('ordersTableName')]\",\"[parameters('indexTableName')]\"]", storageModule.PassedParameter("tableNames"));
        Assert.Equal("orders", Main.Parameters["ordersTableName"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal("orderindex", Main.Parameters["indexTableName"]!["defaultValue"]!.GetValue<string>());
        Assert.Single(storageModule.ResourcesOfType("Microsoft.Storage/storageAccounts/tableServices/tables"));
    }

    [Fact]
    public void Key_vault_uses_RBAC_soft_delete_and_purge_protection()
    {
        var vault = Main.Module("keyVault").SingleOfType("Microsoft.KeyVault/vaults");
        var properties = vault["properties"]!;

        Assert.True(properties["enableRbacAuthorization"]!.GetValue<bool>());
        Assert.True(properties["enablePurgeProtection"]!.GetValue<bool>());
        Assert.True(properties["enableSoftDelete"]!.GetValue<bool>());
        Assert.Equal("main:[parameters('keyVaultPublicNetworkAccess')]", Main.Module("keyVault").Resolve(properties["publicNetworkAccess"]!.GetValue<string>()));
        Assert.Equal(["Disabled", "Enabled"], Main.Parameters["keyVaultPublicNetworkAccess"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).Order());
    }

    [Fact]
    public void Application_insights_is_workspace_based_with_local_auth_disabled()
    {
        var insights = Main.Module("monitoring").SingleOfType("Microsoft.Insights/components");

        Assert.True(insights["properties"]!["DisableLocalAuth"]!.GetValue<bool>());
        Assert.Contains("Microsoft.OperationalInsights/workspaces", insights["properties"]!["WorkspaceResourceId"]!.GetValue<string>());
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_Flex_Consumption_over_https_only()
    {
        var functionApp = Main.Module("functionApp");
        var plan = functionApp.SingleOfType("Microsoft.Web/serverfarms");
        var site = functionApp.SingleOfType("Microsoft.Web/sites");
        var properties = site["properties"]!;
        var config = properties["functionAppConfig"]!;

        Assert.Equal("FC1", plan["sku"]!["name"]!.GetValue<string>());
        Assert.Equal("FlexConsumption", plan["sku"]!["tier"]!.GetValue<string>());
        Assert.True(plan["properties"]!["reserved"]!.GetValue<bool>());
        Assert.Equal("functionapp,linux", site["kind"]!.GetValue<string>());
        Assert.True(properties["httpsOnly"]!.GetValue<bool>());
        Assert.Equal("1.2", properties["siteConfig"]!["minTlsVersion"]!.GetValue<string>());
        Assert.Equal("Disabled", properties["siteConfig"]!["ftpsState"]!.GetValue<string>());
        Assert.Equal("dotnet-isolated", config["runtime"]!["name"]!.GetValue<string>());
        Assert.Equal("10.0", config["runtime"]!["version"]!.GetValue<string>());
        Assert.Equal("UserAssigned", site["identity"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void Function_app_deploys_from_a_blob_container_with_the_user_assigned_identity()
    {
        var functionApp = Main.Module("functionApp");
        var storage = functionApp.SingleOfType("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!;

        Assert.Equal("blobContainer", storage["type"]!.GetValue<string>());
        Assert.Equal("UserAssignedIdentity", storage["authentication"]!["type"]!.GetValue<string>());
        Assert.Equal(
            "main:[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', " + AppIdentityNameArguments() + ")]",
            functionApp.Resolve(storage["authentication"]!["userAssignedIdentityResourceId"]!.GetValue<string>()));
        Assert.Equal("main:[variables('deploymentContainerName')]", functionApp.Resolve("[parameters('deploymentContainerName')]"));
    }

    [Fact]
    public void Function_app_scale_settings_come_from_parameters()
    {
        var functionApp = Main.Module("functionApp");
        var scale = functionApp.SingleOfType("Microsoft.Web/sites")["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!;

        Assert.Equal("main:[parameters('instanceMemoryMB')]", functionApp.Resolve(scale["instanceMemoryMB"]!.GetValue<string>()));
        Assert.Equal("main:[parameters('maximumInstanceCount')]", functionApp.Resolve(scale["maximumInstanceCount"]!.GetValue<string>()));
        var alwaysReady = functionApp.Variable("alwaysReady");
        Assert.Contains("parameters('alwaysReadyHttpInstanceCount')", alwaysReady);
        Assert.Contains("parameters('alwaysReadyDurableInstanceCount')", alwaysReady);
        Assert.Equal("main:[parameters('alwaysReadyHttpInstanceCount')]", functionApp.Resolve("[parameters('alwaysReadyHttpInstanceCount')]"));
        Assert.Equal("main:[parameters('alwaysReadyDurableInstanceCount')]", functionApp.Resolve("[parameters('alwaysReadyDurableInstanceCount')]"));
    }

    [Fact]
    public void Function_app_has_every_setting_of_the_settings_contract()
    {
        var settings = FunctionAppSettings();

        string[] expected =
        [
            "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__blobServiceUri",
            "AzureWebJobsStorage__queueServiceUri", "AzureWebJobsStorage__tableServiceUri", "TaskHubName",
            "OrderStorage__tableServiceUri", "OrderStorage__credential", "OrderStorage__clientId", "AZURE_CLIENT_ID",
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING", "KeyVault__Uri",
            "HaiPay__BaseUrl", "HaiPay__Credentials__HKD__AppId", "HaiPay__Credentials__USD__AppId",
            "HaiPay__PlatformPublicKey", "Collect__OrdersTable", "Collect__IndexTable", "Collect__TrustForwardedFor", "Collect__NotifyUrl", "Ops__Access", "Events__WebhookUrl",
            "Collect__CreateWait", "Collect__QueryBackoff", "Collect__Deadline",
        ];
        Assert.Equal(expected.Order(), settings.Select(setting => setting.Key).Order());
    }

    [Fact]
    public void Function_app_connects_to_storage_and_telemetry_with_its_user_assigned_identity()
    {
        var functionApp = Main.Module("functionApp");
        var settings = FunctionAppSettings();
        string Resolved(string name) => functionApp.Resolve(settings[name]!.GetValue<string>());

        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]!.GetValue<string>());
        Assert.Equal("managedidentity", settings["OrderStorage__credential"]!.GetValue<string>());
        foreach (var clientIdSetting in new[] { "AzureWebJobsStorage__clientId", "OrderStorage__clientId", "AZURE_CLIENT_ID" })
        {
            Assert.Equal("main:[reference('appIdentity').clientId]", Resolved(clientIdSetting));
        }
        Assert.Equal("main:[reference('storage').outputs.blobEndpoint.value]", Resolved("AzureWebJobsStorage__blobServiceUri"));
        Assert.Equal("main:[reference('storage').outputs.queueEndpoint.value]", Resolved("AzureWebJobsStorage__queueServiceUri"));
        Assert.Equal("main:[reference('storage').outputs.tableEndpoint.value]", Resolved("AzureWebJobsStorage__tableServiceUri"));
        Assert.Equal("main:[reference('storage').outputs.tableEndpoint.value]", Resolved("OrderStorage__tableServiceUri"));
        Assert.Equal("main:[reference('keyVault').outputs.uri.value]", Resolved("KeyVault__Uri"));
        Assert.Equal("main:[parameters('taskHubName')]", Resolved("TaskHubName"));
        Assert.Equal("main:[reference('monitoring').outputs.connectionString.value]", Resolved("APPLICATIONINSIGHTS_CONNECTION_STRING"));
        Assert.Equal(
            "[format('ClientId={0};Authorization=AAD', parameters('identityClientId'))]",
            settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!.GetValue<string>());
    }

    [Fact]
    public void Function_app_tells_HaiPay_to_notify_its_own_https_host()
    {
        var settings = FunctionAppSettings();

        var notifyUrl = settings["Collect__NotifyUrl"]!.GetValue<string>();
        Assert.StartsWith("[format('https://{0}/api/haipay/notify', reference(resourceId('Microsoft.Web/sites', parameters('appName'))", notifyUrl);
        Assert.EndsWith(".defaultHostName)]", notifyUrl);
    }

    [Fact]
    public void Function_app_settings_hold_no_secret()
    {
        foreach (var (name, value) in FunctionAppSettings())
        {
            var text = ArmTemplate.Text(value!);
            Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listKeys(", text, StringComparison.OrdinalIgnoreCase);
            if (name.Contains("SecretKey", StringComparison.OrdinalIgnoreCase)
                || name.Contains("PrivateKey", StringComparison.OrdinalIgnoreCase)
                || name.Contains("Password", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Contains("@Microsoft.KeyVault(", text);
            }
        }
    }

    [Fact]
    public void Function_app_uses_no_settings_that_Flex_Consumption_or_identity_based_storage_rule_out()
    {
        var settings = FunctionAppSettings();

        foreach (var name in new[]
                 {
                     "AzureWebJobsStorage", "OrderStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION",
                     "WEBSITE_RUN_FROM_PACKAGE", "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE",
                 })
        {
            Assert.False(settings.ContainsKey(name), $"{name} must not be an app setting.");
        }
    }

    [Fact]
    public void No_resource_anywhere_reads_account_keys_or_signs_SAS()
    {
        foreach (var text in Main.AllStrings())
        {
            Assert.DoesNotContain("listKeys(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listAccountSas(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("listServiceSas(", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("AccountKey=", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("SharedAccessSignature", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Template_takes_no_HaiPay_secret_as_a_parameter()
    {
        foreach (var (name, definition) in Main.Parameters)
        {
            Assert.DoesNotContain("SecretKey", name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("PrivateKey", name, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("secure", definition!["type"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void App_identity_has_exactly_the_five_data_roles_on_the_right_resources()
    {
        var appIdentity = $"main:{Main.Resources["appIdentity"]["name"]!.GetValue<string>()}";

        var assignments = RoleAssignment.All(Main)
            .Where(assignment => assignment.Principal == appIdentity && assignment.Module != "main/durableTaskScheduler")
            .Select(assignment => (assignment.RoleDefinitionId, assignment.ScopeType, assignment.ScopeName))
            .Order()
            .ToList();

        (string, string, string)[] expected =
        [
            (StorageBlobDataOwner, "Microsoft.Storage/storageAccounts", "main:[variables('storageAccountName')]"),
            (StorageQueueDataContributor, "Microsoft.Storage/storageAccounts", "main:[variables('storageAccountName')]"),
            (StorageTableDataContributor, "Microsoft.Storage/storageAccounts", "main:[variables('storageAccountName')]"),
            (KeyVaultSecretsUser, "Microsoft.KeyVault/vaults", "main:[variables('keyVaultName')]"),
            (MonitoringMetricsPublisher, "Microsoft.Insights/components", "main:[variables('applicationInsightsName')]"),
        ];
        Assert.Equal(expected.Order(), assignments);
    }

    [Fact]
    public void Storage_and_vault_modules_deploy_the_resources_the_role_assignments_point_at()
    {
        Assert.Equal("main:[variables('storageAccountName')]", Main.Module("storage").Resolve("[parameters('name')]"));
        Assert.Equal("main:[variables('keyVaultName')]", Main.Module("keyVault").Resolve("[parameters('name')]"));
        Assert.Equal("main:[variables('applicationInsightsName')]", Main.Module("monitoring").Resolve("[parameters('applicationInsightsName')]"));
    }

    [Fact]
    public void Role_assignments_use_built_in_role_ids_and_are_named_deterministically()
    {
        foreach (var (_, resource) in Main.AllResources().Where(item => ArmTemplate.Type(item.Resource) == "Microsoft.Authorization/roleAssignments"))
        {
            Assert.StartsWith("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', ", resource["properties"]!["roleDefinitionId"]!.GetValue<string>());
            Assert.StartsWith("[guid(", resource["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Template_outputs_what_deployment_and_HaiPay_onboarding_need()
    {
        string[] expected =
        [
            "functionAppName", "functionAppDefaultHostName", "haiPayNotifyUrl", "keyVaultName", "keyVaultUri",
            "storageAccountName", "managedIdentityClientId", "taskHubName", "durableBackend", "durableTaskSchedulerEndpoint",
            "dfMonAppName", "dfMonUrl",
        ];
        Assert.Equal(expected.Order(), Main.Outputs.Select(output => output.Key).Order());
        Assert.Equal("[reference('functionApp').outputs.notifyUrl.value]", Main.Outputs["haiPayNotifyUrl"]!["value"]!.GetValue<string>());
        Assert.Equal("[reference('appIdentity').clientId]", Main.Outputs["managedIdentityClientId"]!["value"]!.GetValue<string>());
        foreach (var (_, output) in Main.Outputs)
        {
            Assert.Equal("string", output!["type"]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_task_hub_stays_in_Azure_Storage_unless_the_Durable_Task_Scheduler_is_chosen()
    {
        Assert.Equal("AzureStorage", Main.Parameters["durableBackend"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal(["AzureStorage", "DurableTaskScheduler"], Main.Parameters["durableBackend"]!["allowedValues"]!.AsArray().Select(v => v!.GetValue<string>()).Order());
        Assert.Equal("[equals(parameters('durableBackend'), 'DurableTaskScheduler')]", Main.Resources["durableTaskScheduler"]["condition"]!.GetValue<string>());
        // The app gets the scheduler's endpoint only when the scheduler exists (Bicep writes the whole parameter as one expression).
        Assert.Equal(
            "[if(equals(parameters('durableBackend'), 'DurableTaskScheduler'), createObject('value', reference('durableTaskScheduler').outputs.endpoint.value), createObject('value', ''))]",
            ArmTemplate.Text(Main.Resources["functionApp"]["properties"]!["parameters"]!["durableTaskSchedulerEndpoint"]!));
        Assert.Equal("[not(empty(parameters('durableTaskSchedulerEndpoint')))]", Main.Module("functionApp").Variable("useScheduler"));

        // On Azure Storage nothing overrides host.json: no setting names the storage provider.
        Assert.DoesNotContain(FunctionAppSettings(), setting => setting.Key.Contains("storageProvider", StringComparison.Ordinal));
        Assert.DoesNotContain(FunctionAppSettings(), setting => setting.Key.StartsWith("DURABLE_TASK_SCHEDULER", StringComparison.Ordinal));
    }

    [Fact]
    public void On_the_Durable_Task_Scheduler_the_app_connects_to_its_own_task_hub_with_its_identity_and_no_secret()
    {
        var settings = DurableTaskSchedulerSettings();
        Assert.Equal("azureManaged", settings["AzureFunctionsJobHost__extensions__durableTask__storageProvider__type"]!.GetValue<string>());
        Assert.Equal("DURABLE_TASK_SCHEDULER_CONNECTION_STRING", settings["AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName"]!.GetValue<string>());
        Assert.Equal(
            "[format('Endpoint={0};Authentication=ManagedIdentity;ClientID={1}', parameters('durableTaskSchedulerEndpoint'), parameters('identityClientId'))]",
            settings["DURABLE_TASK_SCHEDULER_CONNECTION_STRING"]!.GetValue<string>());
        Assert.Equal(3, settings.Count);

        var module = Main.Module("durableTaskScheduler");
        var scheduler = module.SingleOfType("Microsoft.DurableTask/schedulers");
        var taskHub = module.SingleOfType("Microsoft.DurableTask/schedulers/taskHubs");
        Assert.Contains("parameters('taskHubName')", taskHub["name"]!.GetValue<string>());
        Assert.Equal("main:[parameters('taskHubName')]", module.Resolve("[parameters('taskHubName')]"));
        Assert.Equal(Main.Module("functionApp").Resolve("[parameters('taskHubName')]"), module.Resolve("[parameters('taskHubName')]"));
        Assert.Equal("Consumption", Main.Parameters["durableTaskSchedulerSku"]!["defaultValue"]!.GetValue<string>());
        Assert.Contains("parameters('skuName')", ArmTemplate.Text(scheduler["properties"]!["sku"]!));

        // The app's identity gets the data role on that task hub, readers only read; nothing is granted wider.
        var appIdentity = $"main:{Main.Resources["appIdentity"]["name"]!.GetValue<string>()}";
        var assignments = RoleAssignment.All(Main).Where(assignment => assignment.Module == "main/durableTaskScheduler").ToList();
        var app = Assert.Single(assignments, assignment => assignment.Principal == appIdentity);
        Assert.Equal(DurableTaskDataContributor, app.RoleDefinitionId);
        Assert.All(assignments.Where(assignment => assignment.Principal != appIdentity), reader => Assert.Equal(DurableTaskDataReader, reader.RoleDefinitionId));
        foreach (var assignment in module.ResourcesOfType("Microsoft.Authorization/roleAssignments"))
        {
            Assert.Contains("Microsoft.DurableTask/schedulers/taskHubs", assignment["scope"]!.GetValue<string>());
        }
    }

    [Fact]
    public void The_operations_api_is_guarded_by_entra_id_only_when_an_app_registration_is_given()
    {
        var functionApp = Main.Module("functionApp");
        var auth = functionApp.ResourcesOfType("Microsoft.Web/sites/config")
            .Single(r => r["name"]!.ToString().Contains("authsettingsV2", StringComparison.Ordinal));

        Assert.Equal("[not(empty(parameters('opsEntraClientId')))]", auth["condition"]!.GetValue<string>());
        var properties = auth["properties"]!;
        Assert.True(properties["platform"]!["enabled"]!.GetValue<bool>());
        // Anonymous callers still reach the orders API (function keys) and the notify webhook (signatures).
        Assert.False(properties["globalValidation"]!["requireAuthentication"]!.GetValue<bool>());
        Assert.Equal("AllowAnonymous", properties["globalValidation"]!["unauthenticatedClientAction"]!.GetValue<string>());
        Assert.Equal("[parameters('opsEntraClientId')]", properties["identityProviders"]!["azureActiveDirectory"]!["registration"]!["clientId"]!.GetValue<string>());
        Assert.Equal("[if(empty(parameters('opsEntraClientId')), 'Disabled', 'EntraId')]", FunctionAppSettings()["Ops__Access"]!.GetValue<string>());
        Assert.Equal("", Main.Parameters["opsEntraClientId"]!["defaultValue"]!.GetValue<string>());
        Assert.Equal("", Main.Parameters["storefrontWebhookUrl"]!["defaultValue"]!.GetValue<string>());
    }

    /// <summary>
    /// The app settings every deployment gets. Bicep writes them as <c>union(durableTaskSchedulerSettings, {…})</c>,
    /// the scheduler's overrides first (empty on Azure Storage), so the literal object is the second argument.
    /// </summary>
    private static JsonObject FunctionAppSettings()
    {
        var properties = ArmTemplate.Text(Main.Module("functionApp").SiteConfig("appsettings")["properties"]!);
        var union = ArmExpression.Arguments(properties, "union");
        Assert.Equal(["variables('durableTaskSchedulerSettings')"], union.Take(1));
        return ArmExpression.CreateObject(Assert.Single(union.Skip(1)));
    }

    /// <summary>What the Durable Task Scheduler adds to the app settings (the then-branch of the variable).</summary>
    private static JsonObject DurableTaskSchedulerSettings()
    {
        var branches = ArmExpression.Arguments(Main.Module("functionApp").Variable("durableTaskSchedulerSettings"), "if");
        Assert.Equal(["variables('useScheduler')", "createObject()"], [branches[0], branches[2]]);
        return ArmExpression.CreateObject(branches[1]);
    }

    private static string AppIdentityNameArguments()
    {
        var name = Main.Resources["appIdentity"]["name"]!.GetValue<string>();
        return name[1..^1];
    }
}
