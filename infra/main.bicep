// Collect: durable payment-collection orchestrator for HaiPay (HKD, USD) on Azure Functions Flex Consumption.
// Deploy into an existing resource group:
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.dev.bicepparam
// See docs/deploy.md.

targetScope = 'resourceGroup'

@description('Azure region for every resource (must offer Flex Consumption: az functionapp list-flexconsumption-locations).')
param location string = resourceGroup().location

@description('Short lowercase product name used in resource names.')
@minLength(2)
@maxLength(8)
param namePrefix string = 'collect'

@description('Environment name used in resource names and tags.')
@allowed([
  'dev'
  'prod'
])
param environmentName string

@description('Durable task hub name for this environment (letters and digits, starts with a letter).')
@minLength(3)
@maxLength(45)
param taskHubName string

@description('HaiPay API base URL (test: https://uat-interface.haipay.asia; production is given at go-live).')
param haiPayBaseUrl string

@description('HaiPay business id (appId) for HKD, from the HaiPay merchant back office.')
param haiPayHkdAppId string

@description('HaiPay business id (appId) for USD, from the HaiPay merchant back office.')
param haiPayUsdAppId string

@description('HaiPay platform public key, bare base64. Public, not a secret. Leave empty to use the haipay-platform-public-key secret in Key Vault.')
param haiPayPlatformPublicKey string = ''

@description('Table holding the orders.')
param ordersTableName string = 'orders'

@description('Table holding the reconciliation sweep\'s work list (orders and their audit trail share the orders table).')
param indexTableName string = 'orderindex'

@description('How long the create call waits for HaiPay before answering (TimeSpan).')
param createWait string = '00:00:10'

@description('Query backoff schedule, comma-separated TimeSpans.')
param queryBackoff string = '00:00:15,00:00:30,00:01:00,00:02:00,00:05:00'

@description('How long an order may stay open before it expires (TimeSpan).')
param deadline string = '00:30:00'

@description('The storefront\'s webhook for order events (https); empty: no events. Its signing secret is the Key Vault secret storefront-webhook-secret.')
param storefrontWebhookUrl string = ''

@description('Client id of the Entra ID app registration guarding the operations API and console (app roles Ops.Read and Ops.Act); empty: the operations API answers 404.')
param opsEntraClientId string = ''

@description('Tenant of that app registration.')
param opsEntraTenantId string = tenant().tenantId

@description('Backend of the durable task hub: AzureStorage (queues and tables in the app\'s storage account) or DurableTaskScheduler (managed, about 5× the throughput; README "Choosing the durable backend").')
@allowed([
  'AzureStorage'
  'DurableTaskScheduler'
])
param durableBackend string = 'AzureStorage'

@description('Durable Task Scheduler SKU (when durableBackend is DurableTaskScheduler).')
@allowed([
  'Consumption'
  'Dedicated'
])
param durableTaskSchedulerSku string = 'Consumption'

@description('Dedicated capacity units (1–3) of the Durable Task Scheduler.')
@minValue(1)
@maxValue(3)
param durableTaskSchedulerCapacity int = 1

@description('Object ids of operators who may read the Durable Task Scheduler dashboard.')
param durableTaskSchedulerReaderPrincipalIds string[] = []

@description('Memory per Flex Consumption instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances for the HTTP triggers (0 = scale to zero).')
@minValue(0)
param alwaysReadyHttpInstanceCount int = 0

@description('Always-ready instances for the durable (orchestrator/activity/entity) triggers (0 = scale to zero).')
@minValue(0)
param alwaysReadyDurableInstanceCount int = 0

@description('Storage replication SKU.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSkuName string = 'Standard_LRS'

@description('Whether Key Vault accepts traffic from public networks (Disabled needs a private endpoint and VNet integration, not part of this template).')
@allowed([
  'Enabled'
  'Disabled'
])
param keyVaultPublicNetworkAccess string = 'Enabled'

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param keyVaultSoftDeleteRetentionInDays int = 90

@description('Object ids of users or groups who set and roll the HaiPay secrets (granted Key Vault Secrets Officer).')
param keyVaultSecretsOfficerPrincipalIds string[] = []

@description('Days Log Analytics keeps logs.')
@minValue(30)
@maxValue(730)
param logRetentionInDays int = 30

@description('Deploy Durable Functions Monitor (standalone, read-only, Entra ID sign-in) as a second function app.')
param deployDfMon bool = false

@description('Client id of the Entra ID app registration for DfMon sign-in (required when deployDfMon).')
param dfMonEntraClientId string = ''

@description('Entra ID tenant of that app registration.')
param dfMonEntraTenantId string = tenant().tenantId

@description('Comma-separated user names (UPNs) allowed into DfMon; set this or dfMonAllowedAppRoles.')
param dfMonAllowedUserNames string = ''

@description('Comma-separated app roles (of the DfMon app registration) allowed into DfMon; set this or dfMonAllowedUserNames.')
param dfMonAllowedAppRoles string = ''

@description('Deploy the Azure Monitor alert rules and their e-mail action group (README "Operating it").')
param deployAlerts bool = false

@description('E-mail address (a person or a distribution list) the alerts go to (required when deployAlerts).')
param alertEmail string = ''

@description('Callbacks failing verification in 15 minutes above which the callback alert fires.')
@minValue(1)
param alertCallbackFailureThreshold int = 10

@description('Percentage of HaiPay calls ending in a transient error (15 minutes, at least 10 calls) above which the HaiPay alert fires.')
@minValue(1)
@maxValue(100)
param alertHaiPayTransientPercent int = 20

var suffix = uniqueString(resourceGroup().id, namePrefix, environmentName)
var tags = {
  application: namePrefix
  environment: environmentName
}
var storageAccountName = take('st${namePrefix}${environmentName}${suffix}', 24)
var keyVaultName = take('kv-${namePrefix}-${environmentName}-${suffix}', 24)
var applicationInsightsName = 'appi-${namePrefix}-${environmentName}-${suffix}'
// Alerts without anyone to tell are refused: the deployment fails with this message instead of creating them.
var checkedAlertEmail = deployAlerts && empty(alertEmail)
  ? fail('alertEmail is required when deployAlerts is true.')
  : alertEmail
var deploymentContainerName = 'app-package'
var dfMonDeploymentContainerName = 'dfmon-package'
// The Functions host keeps its keys and locks here; created up front so DfMon can be granted just these.
var hostContainerNames = [
  'azure-webjobs-hosts'
  'azure-webjobs-secrets'
]

resource appIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${namePrefix}-${environmentName}-${suffix}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    logAnalyticsName: 'log-${namePrefix}-${environmentName}-${suffix}'
    applicationInsightsName: applicationInsightsName
    retentionInDays: logRetentionInDays
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    name: storageAccountName
    skuName: storageSkuName
    containerNames: concat(
      [deploymentContainerName],
      deployDfMon ? concat(hostContainerNames, [dfMonDeploymentContainerName]) : []
    )
    tableNames: [
      ordersTableName
      indexTableName
    ]
    tags: tags
  }
}

module keyVault 'modules/keyVault.bicep' = {
  name: 'keyVault'
  params: {
    location: location
    name: keyVaultName
    publicNetworkAccess: keyVaultPublicNetworkAccess
    softDeleteRetentionInDays: keyVaultSoftDeleteRetentionInDays
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    secretsOfficerPrincipalIds: keyVaultSecretsOfficerPrincipalIds
    tags: tags
  }
}

module appIdentityRoles 'modules/appIdentityRoles.bicep' = {
  name: 'appIdentityRoles'
  params: {
    identityName: appIdentity.name
    storageAccountName: storageAccountName
    keyVaultName: keyVaultName
    applicationInsightsName: applicationInsightsName
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

module durableTaskScheduler 'modules/durableTaskScheduler.bicep' = if (durableBackend == 'DurableTaskScheduler') {
  name: 'durableTaskScheduler'
  params: {
    location: location
    name: 'dts-${namePrefix}-${environmentName}-${suffix}'
    taskHubName: taskHubName
    skuName: durableTaskSchedulerSku
    capacity: durableTaskSchedulerCapacity
    identityName: appIdentity.name
    readerPrincipalIds: durableTaskSchedulerReaderPrincipalIds
    tags: tags
  }
}

module functionApp 'modules/functionApp.bicep' = {
  name: 'functionApp'
  params: {
    location: location
    planName: 'asp-${namePrefix}-${environmentName}-${suffix}'
    appName: 'func-${namePrefix}-${environmentName}-${suffix}'
    identityId: appIdentity.id
    identityClientId: appIdentity.properties.clientId
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttpInstanceCount: alwaysReadyHttpInstanceCount
    alwaysReadyDurableInstanceCount: alwaysReadyDurableInstanceCount
    taskHubName: taskHubName
    durableTaskSchedulerEndpoint: durableBackend == 'DurableTaskScheduler' ? durableTaskScheduler!.outputs.endpoint : ''
    keyVaultUri: keyVault.outputs.uri
    haiPayBaseUrl: haiPayBaseUrl
    haiPayHkdAppId: haiPayHkdAppId
    haiPayUsdAppId: haiPayUsdAppId
    haiPayPlatformPublicKey: haiPayPlatformPublicKey
    ordersTableName: ordersTableName
    indexTableName: indexTableName
    createWait: createWait
    queryBackoff: queryBackoff
    deadline: deadline
    storefrontWebhookUrl: storefrontWebhookUrl
    opsEntraClientId: opsEntraClientId
    opsEntraTenantId: opsEntraTenantId
    tags: tags
  }
  // The app must not start before its identity can reach storage, the vault and App Insights (the scheduler's
  // role is granted inside its module, which the endpoint parameter already waits for).
  dependsOn: [
    appIdentityRoles
  ]
}

module dfMon 'modules/dfMon.bicep' = if (deployDfMon) {
  name: 'dfMon'
  params: {
    location: location
    planName: 'asp-${namePrefix}-dfmon-${environmentName}-${suffix}'
    appName: 'func-${namePrefix}-dfmon-${environmentName}-${suffix}'
    identityName: 'id-${namePrefix}-dfmon-${environmentName}-${suffix}'
    storageAccountName: storageAccountName
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: dfMonDeploymentContainerName
    hostContainerNames: hostContainerNames
    taskHubName: taskHubName
    entraClientId: dfMonEntraClientId
    entraTenantId: dfMonEntraTenantId
    allowedUserNames: dfMonAllowedUserNames
    allowedAppRoles: dfMonAllowedAppRoles
    applicationInsightsName: applicationInsightsName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    tags: tags
  }
}

module alerts 'modules/alerts.bicep' = if (deployAlerts) {
  name: 'alerts'
  params: {
    location: location
    namePrefix: 'alert-${namePrefix}-${environmentName}'
    actionGroupShortName: take('${namePrefix}-${environmentName}', 12)
    alertEmail: checkedAlertEmail
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    callbackFailureThreshold: alertCallbackFailureThreshold
    haiPayTransientPercentThreshold: alertHaiPayTransientPercent
    tags: tags
  }
}

// The operations workbook costs nothing until opened, so every environment gets it.
module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  params: {
    location: location
    name: guid(resourceGroup().id, namePrefix, environmentName, 'operations-workbook')
    displayName: 'Collect operations (${environmentName})'
    logAnalyticsId: monitoring.outputs.logAnalyticsId
    applicationInsightsId: monitoring.outputs.applicationInsightsId
    tags: tags
  }
}

@description('Function app name (target of the code deployment).')
output functionAppName string = functionApp.outputs.name

@description('Function app default host name.')
output functionAppDefaultHostName string = functionApp.outputs.defaultHostName

@description('Notification URL to register in the HaiPay merchant back office.')
output haiPayNotifyUrl string = functionApp.outputs.notifyUrl

@description('Key Vault holding the HaiPay secrets.')
output keyVaultName string = keyVault.outputs.name

@description('Key Vault URI.')
output keyVaultUri string = keyVault.outputs.uri

@description('Storage account holding the task hub, orders and audit tables.')
output storageAccountName string = storage.outputs.name

@description('Client id of the function app identity.')
output managedIdentityClientId string = appIdentity.properties.clientId

@description('Durable task hub name.')
output taskHubName string = taskHubName

@description('Backend of the durable task hub.')
output durableBackend string = durableBackend

@description('Durable Task Scheduler endpoint (empty on Azure Storage).')
output durableTaskSchedulerEndpoint string = durableBackend == 'DurableTaskScheduler' ? durableTaskScheduler!.outputs.endpoint : ''

@description('DfMon function app name (empty when not deployed).')
output dfMonAppName string = deployDfMon ? dfMon!.outputs.name : ''

@description('DfMon URL (empty when not deployed).')
output dfMonUrl string = deployDfMon ? 'https://${dfMon!.outputs.defaultHostName}' : ''
