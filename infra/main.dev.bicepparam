// Development environment. Values that differ per merchant onboarding come from environment variables
// (in the pipeline: the variable group of the environment; locally: export them before az deployment).
using 'main.bicep'

param environmentName = 'dev'
param taskHubName = 'CollectDev'

// HaiPay UAT.
param haiPayBaseUrl = 'https://uat-interface.haipay.asia'
param haiPayHkdAppId = readEnvironmentVariable('HAIPAY_HKD_APP_ID')
param haiPayUsdAppId = readEnvironmentVariable('HAIPAY_USD_APP_ID')
param haiPayPlatformPublicKey = readEnvironmentVariable('HAIPAY_PLATFORM_PUBLIC_KEY', '')

// Scale to zero in dev.
param instanceMemoryMB = 2048
param maximumInstanceCount = 40
param alwaysReadyHttpInstanceCount = 0
param alwaysReadyDurableInstanceCount = 0

param storageSkuName = 'Standard_LRS'
param logRetentionInDays = 30

// Comma-separated object ids of the people or groups who set the HaiPay secrets.
param keyVaultSecretsOfficerPrincipalIds = filter(
  split(readEnvironmentVariable('KEYVAULT_SECRETS_OFFICERS', ''), ','),
  id => !empty(id)
)

// Durable Functions Monitor is deployed when an Entra ID app registration is configured for it.
var dfMonClientId = readEnvironmentVariable('DFMON_ENTRA_CLIENT_ID', '')
param deployDfMon = !empty(dfMonClientId)
param dfMonEntraClientId = dfMonClientId
param dfMonAllowedUserNames = readEnvironmentVariable('DFMON_ALLOWED_USER_NAMES', '')
param dfMonAllowedAppRoles = readEnvironmentVariable('DFMON_ALLOWED_APP_ROLES', '')

// Storefront events and the operations API (optional; see README "Operating it").
param storefrontWebhookUrl = readEnvironmentVariable('STOREFRONT_WEBHOOK_URL', '')
param opsEntraClientId = readEnvironmentVariable('OPS_ENTRA_CLIENT_ID', '')

// Alerts (README "Operating it") go to ALERT_EMAIL, a person or a distribution list; dev has them only when it is set.
var alertEmailAddress = readEnvironmentVariable('ALERT_EMAIL', '')
param deployAlerts = !empty(alertEmailAddress)
param alertEmail = alertEmailAddress
