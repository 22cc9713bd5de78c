// Durable Functions Monitor (DfMon) in standalone mode: a second Flex Consumption app running the published
// DurableFunctionsMonitor.DotNetIsolated package (the pipeline deploys it), bound to the Collect app's
// storage account and task hub, read-only, behind Entra ID sign-in. It runs as its own identity that can read
// the task hub but not change it.

@description('Azure region for the plan and app.')
param location string

@description('Flex Consumption plan name for DfMon.')
param planName string

@description('DfMon function app name.')
param appName string

@description('Name of the user-assigned identity DfMon runs as.')
param identityName string

@description('Storage account holding the monitored task hub.')
param storageAccountName string

@description('Primary endpoints of that storage account (with trailing slash).')
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string

@description('Blob container (in that account) holding the DfMon deployment package.')
param deploymentContainerName string

@description('Blob containers the Functions host writes its keys and locks to (created beforehand).')
param hostContainerNames string[]

@description('Task hub DfMon may show; it refuses any other.')
param taskHubName string

@description('Client id of the Entra ID app registration that signs users in to DfMon.')
param entraClientId string

@description('Entra ID tenant of that app registration.')
param entraTenantId string

@description('Comma-separated user names (UPNs) allowed in; empty = no user-name filter.')
param allowedUserNames string

@description('Comma-separated app roles of the app registration allowed in; empty = no role filter.')
param allowedAppRoles string

@description('Application Insights component receiving DfMon telemetry.')
param applicationInsightsName string

@description('Its connection string.')
param applicationInsightsConnectionString string

param tags object

// Built-in role definition ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
// Storage Table Data Reader: task hub Instances and History tables.
var storageTableDataReader = '76199698-9eea-4c19-bc75-cec21354c6b6'
// Storage Blob Data Reader: task hub large-message payloads.
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
// Storage Blob Data Contributor, per container: DfMon's own host keys and locks and its deployment package.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
// Monitoring Metrics Publisher: send telemetry to Application Insights with Entra ID auth.
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: identityName
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource storageReadRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [storageTableDataReader, storageBlobDataReader]: {
    name: guid(storage.id, identity.id, roleId)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource writableContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' existing = [
  for containerName in concat(hostContainerNames, [deploymentContainerName]): {
    parent: storage::blobService
    name: containerName
  }
]

resource containerWriteRoles 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (containerName, i) in concat(hostContainerNames, [deploymentContainerName]): {
    name: guid(writableContainers[i].id, identity.id, storageBlobDataContributor)
    scope: writableContainers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
      principalId: identity.properties.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, identity.id, monitoringMetricsPublisher)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

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

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
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
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: 2048
        maximumInstanceCount: 40
      }
      // DurableFunctionsMonitor.DotNetIsolated targets net8.0.
      runtime: {
        name: 'dotnet-isolated'
        version: '8.0'
      }
    }
  }
}

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

// DfMon splits these settings on commas: an empty value would admit nobody, so leave it out instead.
var accessFilters = union(
  empty(allowedUserNames) ? {} : { DFM_ALLOWED_USER_NAMES: allowedUserNames },
  empty(allowedAppRoles) ? {} : { DFM_ALLOWED_APP_ROLES: allowedAppRoles }
)

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(accessFilters, {
    // DfMon reads the task hub through AzureWebJobsStorage, identity-based.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identity.properties.clientId
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__queueServiceUri: queueEndpoint
    AzureWebJobsStorage__tableServiceUri: tableEndpoint
    AZURE_CLIENT_ID: identity.properties.clientId
    DFM_HUB_NAME: taskHubName
    DFM_MODE: 'ReadOnly'
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
  })
}

// Entra ID sign-in in front of every request (server-directed flow: DfMon's UI expects the platform to
// redirect to the login page; its API then reads the signed-in user from the x-ms-client-principal header).
resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'RedirectToLoginPage'
      redirectToProvider: 'azureactivedirectory'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: entraClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${entraTenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            entraClientId
            'api://${entraClientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = app.name
output defaultHostName string = app.properties.defaultHostName
output identityPrincipalId string = identity.properties.principalId
