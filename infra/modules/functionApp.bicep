// The Collect function app on a Flex Consumption (FC1, Linux) plan: .NET 10 isolated worker, durable task hub
// on Azure Storage, every connection through the user-assigned identity. HaiPay secrets are not app settings:
// the app reads them from Key Vault (KeyVault__Uri) with the same identity.

@description('Azure region for the plan and app.')
param location string

@description('Flex Consumption plan name.')
param planName string

@description('Function app name.')
param appName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityId string

@description('Client id of that identity.')
param identityClientId string

@description('Primary endpoints of the storage account (with trailing slash).')
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

@description('Blob container holding the deployment package.')
param deploymentContainerName string

@description('Application Insights connection string (not a secret; ingestion still needs Entra ID auth).')
param applicationInsightsConnectionString string

@description('Memory per instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Instances kept warm for the HTTP triggers (0 = scale to zero).')
@minValue(0)
param alwaysReadyHttpInstanceCount int

@description('Instances kept warm for the orchestrator, activity and entity triggers (0 = scale to zero).')
@minValue(0)
param alwaysReadyDurableInstanceCount int

@description('Durable task hub name; each environment has its own.')
param taskHubName string

@description('Durable Task Scheduler endpoint; empty: the task hub lives in Azure Storage (host.json as shipped).')
param durableTaskSchedulerEndpoint string

@description('Key Vault URI the app reads the HaiPay secrets from.')
param keyVaultUri string

@description('HaiPay API base URL.')
param haiPayBaseUrl string

@description('HaiPay business id (appId) for HKD collections.')
param haiPayHkdAppId string

@description('HaiPay business id (appId) for USD collections.')
param haiPayUsdAppId string

@description('HaiPay platform public key, bare base64 (public; empty when the vault holds haipay-platform-public-key).')
param haiPayPlatformPublicKey string

@description('Table holding the orders.')
param ordersTableName string

@description('Table holding the reconciliation sweep\'s work list.')
param indexTableName string

@description('How long the create call waits for HaiPay before answering (TimeSpan).')
param createWait string

@description('Query backoff schedule, comma-separated TimeSpans.')
param queryBackoff string

@description('How long an order may stay open before it expires (TimeSpan).')
param deadline string

@description('The storefront\'s webhook for order events; empty: no events.')
param storefrontWebhookUrl string

@description('Entra ID app registration guarding the operations API (empty: the API is disabled).')
param opsEntraClientId string

param opsEntraTenantId string

param tags object

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

var alwaysReady = filter(
  [
    { name: 'http', instanceCount: alwaysReadyHttpInstanceCount }
    { name: 'durable', instanceCount: alwaysReadyDurableInstanceCount }
  ],
  group => group.instanceCount > 0
)

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: alwaysReady
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// Deployments authenticate with Entra ID (the pipeline's service connection); no publishing passwords.
resource scmBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'scm'
  properties: {
    allow: false
  }
}

resource ftpBasicAuth 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2024-04-01' = {
  parent: app
  name: 'ftp'
  properties: {
    allow: false
  }
}

var useScheduler = !empty(durableTaskSchedulerEndpoint)

var notifyUrl = 'https://${app.properties.defaultHostName}/api/haipay/notify'

// host.json ships the Azure Storage provider. With the Durable Task Scheduler, these settings override its
// storageProvider (AzureFunctionsJobHost__ is how app settings override host.json) and connect with the identity;
// on Azure Storage nothing is added, so host.json stays the one source.
var durableTaskSchedulerSettings = useScheduler
  ? {
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskSchedulerEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
    }
  : {}

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(durableTaskSchedulerSettings, {
    // Functions host storage and durable task hub, identity-based.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    TaskHubName: taskHubName
    // Orders and audit tables, identity-based.
    OrderStorage__tableServiceUri: tableEndpoint
    OrderStorage__credential: 'managedidentity'
    OrderStorage__clientId: identityClientId
    // DefaultAzureCredential (Key Vault, Table clients) picks the user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    KeyVault__Uri: keyVaultUri
    HaiPay__BaseUrl: haiPayBaseUrl
    HaiPay__Credentials__HKD__AppId: haiPayHkdAppId
    HaiPay__Credentials__USD__AppId: haiPayUsdAppId
    HaiPay__PlatformPublicKey: haiPayPlatformPublicKey
    Collect__OrdersTable: ordersTableName
    Collect__IndexTable: indexTableName
    // Behind the App Service front end, the last X-Forwarded-For entry is the one the platform appended.
    Collect__TrustForwardedFor: 'true'
    Collect__NotifyUrl: notifyUrl
    Collect__CreateWait: createWait
    Collect__QueryBackoff: queryBackoff
    Collect__Deadline: deadline
    // The operations API trusts the platform's principal headers only where App Service authentication sets them.
    Ops__Access: empty(opsEntraClientId) ? 'Disabled' : 'EntraId'
    Events__WebhookUrl: storefrontWebhookUrl
  })
}

// App Service authentication for the operations API and console: it signs operators in with Entra ID and sets
// X-MS-CLIENT-PRINCIPAL (removing any a client sent). Anonymous requests still reach the app, because the orders API
// (function keys) and HaiPay's notify callback (signatures) carry no Entra ID token; the ops routes refuse them.
resource opsAuth 'Microsoft.Web/sites/config@2024-04-01' = if (!empty(opsEntraClientId)) {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: opsEntraClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${opsEntraTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            opsEntraClientId
            'api://${opsEntraClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: true
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output notifyUrl string = notifyUrl
