{{/* The demo OpenID Connect provider's objects and in-cluster URL. */}}
{{- define "orderly.identityName" -}}{{ include "orderly.child" (list . "identity") }}{{- end -}}
{{- define "orderly.identityUrl" -}}
{{- printf "http://%s.%s.svc:%v" (include "orderly.identityName" .) .Release.Namespace .Values.auth.demoProvider.port -}}
{{- end -}}

{{/* The issuer the services trust (AUTH_ISSUER): the value, else the demo provider's; nothing else has a default. */}}
{{- define "orderly.authIssuer" -}}
{{- if .Values.auth.issuer -}}
{{- .Values.auth.issuer -}}
{{- else if .Values.auth.demoProvider.enabled -}}
{{- include "orderly.identityUrl" . -}}
{{- else -}}
{{- fail "auth.issuer: name the OpenID Connect issuer whose access tokens the APIs accept (and auth.jwksUrl), or enable auth.demoProvider (kind and demos only)" -}}
{{- end -}}
{{- end -}}

{{/* Where the issuer's signing keys are (AUTH_JWKS_URL). */}}
{{- define "orderly.jwksUrl" -}}
{{- if .Values.auth.jwksUrl -}}
{{- .Values.auth.jwksUrl -}}
{{- else if and .Values.auth.demoProvider.enabled (not .Values.auth.issuer) -}}
{{- printf "%s/jwks" (include "orderly.identityUrl" .) -}}
{{- else -}}
{{- fail "auth.jwksUrl: name the issuer's JWKS endpoint (the jwks_uri of its discovery document)" -}}
{{- end -}}
{{- end -}}

{{/* The demo provider's signing key: the live Secret's when there is one (tokens survive upgrades), else a new P-256 key. */}}
{{- define "orderly.identitySigningKey" -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "orderly.identityName" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "signing-key") -}}
{{- index $existing.data "signing-key" | b64dec -}}
{{- else -}}
{{- genPrivateKey "ecdsa" -}}
{{- end -}}
{{- end -}}

{{/*
Each demo account's own password, as JSON {"<account>":"<password>"} (IDP_ACCOUNT_PASSWORDS): an
account's password is kept across upgrades (lookup), a new account gets a new one, and no two
accounts share one (one password for all let a customer sign in as the operator).
*/}}
{{- define "orderly.identityAccountPasswords" -}}
{{- $kept := dict -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace (include "orderly.identityName" .) -}}
{{- if and $existing $existing.data (hasKey $existing.data "account-passwords") -}}
{{- $kept = index $existing.data "account-passwords" | b64dec | fromJson -}}
{{- end -}}
{{- $passwords := dict -}}
{{- range (splitList "," .Values.auth.demoProvider.accounts) -}}
{{- $id := first (splitList ":" (trim .)) -}}
{{- if $id -}}
{{- $_ := set $passwords $id (get $kept $id | default (randAlphaNum 32)) -}}
{{- end -}}
{{- end -}}
{{- toJson $passwords -}}
{{- end -}}
