// Production environment. Values that differ per merchant onboarding come from environment variables
// (in the pipeline: the variable group of the environment; locally: export them before az deployment).
using 'main.bicep'

param environmentName = 'prod'
param taskHubName = 'CollectProd'

// HaiPay gives the production base URL at go-live.
param haiPayBaseUrl = readEnvironmentVariable('HAIPAY_BASE_URL')
param haiPayHkdAppId = readEnvironmentVariable('HAIPAY_HKD_APP_ID')
param haiPayUsdAppId = readEnvironmentVariable('HAIPAY_USD_APP_ID')
param haiPayPlatformPublicKey = readEnvironmentVariable('HAIPAY_PLATFORM_PUBLIC_KEY', '')

// One warm instance each for the HTTP API and the orchestrations: no cold start on a customer's payment.
param instanceMemoryMB = 2048
param maximumInstanceCount = 100
param alwaysReadyHttpInstanceCount = 1
param alwaysReadyDurableInstanceCount = 1

param storageSkuName = 'Standard_ZRS'
param logRetentionInDays = 90

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

// Production always alerts (README "Operating it"): ALERT_EMAIL, a person or a distribution list, is required.
param deployAlerts = true
param alertEmail = readEnvironmentVariable('ALERT_EMAIL')
