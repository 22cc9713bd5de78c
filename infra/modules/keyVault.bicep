// Key Vault for the HaiPay secrets (secretKey and merchant private key per currency). Access is by Azure RBAC
// only; soft delete and purge protection keep a deleted key recoverable. Secret reads and writes are audited
// to the Log Analytics workspace.

@description('Azure region for the vault.')
param location string

@description('Key Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Whether the vault accepts traffic from public networks. Disabled needs a private endpoint and VNet-integrated apps.')
@allowed([
  'Enabled'
  'Disabled'
])
param publicNetworkAccess string

@description('Days a deleted vault or secret stays recoverable.')
@minValue(7)
@maxValue(90)
param softDeleteRetentionInDays int

@description('Log Analytics workspace receiving the vault audit log.')
param logAnalyticsId string

@description('Object ids of the users or groups allowed to write the HaiPay secrets (Key Vault Secrets Officer).')
param secretsOfficerPrincipalIds string[]

param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: softDeleteRetentionInDays
    enablePurgeProtection: true
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: publicNetworkAccess
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: publicNetworkAccess == 'Enabled' ? 'Allow' : 'Deny'
    }
  }
}

resource auditLog 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'audit-to-log-analytics'
  scope: vault
  properties: {
    workspaceId: logAnalyticsId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
  }
}

// Key Vault Secrets Officer: set and roll secrets (never granted to the app identity).
var keyVaultSecretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource secretsOfficers 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for officerId in secretsOfficerPrincipalIds: {
    name: guid(vault.id, officerId, keyVaultSecretsOfficer)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsOfficer)
      principalId: officerId
    }
  }
]

output name string = vault.name
output id string = vault.id
output uri string = vault.properties.vaultUri
