<#
.SYNOPSIS
    Downloads the files of one model listed in models.json (default: "clip", the CLIP ViT-B/32 ONNX export) from the
    Hugging Face Hub, verifies them and records their sha256 in SHA256SUMS next to them. See README.md.

.DESCRIPTION
    Verification, per file: a sha256 pinned in models.json wins; otherwise the Hub's X-Linked-Etag header (the sha256
    of an LFS file) or the lfs.oid of the Hub's paths-info API; small non-LFS files have no sha256 on the Hub, so their
    size is checked. A file is downloaded to a temp name and only renamed after it passed. Files already present with
    a matching sha256 are not downloaded again.

    Environment: HF_ENDPOINT (Hub or mirror, default https://huggingface.co), HF_TOKEN (optional Bearer token),
    MODEL, MODEL_DIR, MODELS_MANIFEST (defaults for the parameters), DOWNLOAD_TIMEOUT_SEC (per file, default 3600).

.PARAMETER Model
    Model id in the manifest (default: $env:MODEL or "clip").

.PARAMETER Directory
    Folder the files go into (default: $env:MODEL_DIR, else models/<folder> next to this script).

.PARAMETER Manifest
    Manifest to read (default: $env:MODELS_MANIFEST, else models.json next to this script).

.EXAMPLE
    ./models/download-models.ps1

.EXAMPLE
    $env:HF_ENDPOINT = 'https://my-mirror.example'; ./models/download-models.ps1 -Directory D:\models\clip
#>
#Requires -Version 7.0
[CmdletBinding()]
param(
    [string] $Model = $(if ($env:MODEL) { $env:MODEL } else { 'clip' }),
    [string] $Directory = $env:MODEL_DIR,
    [string] $Manifest = $(if ($env:MODELS_MANIFEST) { $env:MODELS_MANIFEST } else { Join-Path $PSScriptRoot 'models.json' })
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$endpoint = if ($env:HF_ENDPOINT) { $env:HF_ENDPOINT.TrimEnd('/') } else { 'https://huggingface.co' }
$timeoutSec = if ($env:DOWNLOAD_TIMEOUT_SEC) { [int] $env:DOWNLOAD_TIMEOUT_SEC } else { 3600 }
$retries = 3
$authHeaders = @{}
if ($env:HF_TOKEN) { $authHeaders['Authorization'] = "Bearer $($env:HF_TOKEN)" }

function Get-PropertyValue([object] $Object, [string] $Name) {
    $property = $Object.PSObject.Properties[$Name]
    if ($null -eq $property) { return $null }
    return $property.Value
}

# '"abc…"' or 'W/"abc…"' -> lowercase hex when it is a sha256, else $null.
function ConvertTo-Sha256([object] $Value) {
    if ($null -eq $Value) { return $null }
    $v = ([string] $Value).Trim()
    if ($v.StartsWith('W/')) { $v = $v.Substring(2) }
    $v = $v.Trim('"').ToLowerInvariant()
    if ($v -match '^[0-9a-f]{64}$') { return $v }
    return $null
}

function Get-Sha256([string] $Path) {
    return (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant()
}

function Get-HeaderValue([object] $Response, [string] $Name) {
    foreach ($key in $Response.Headers.Keys) {
        if ([string]::Equals($key, $Name, [StringComparison]::OrdinalIgnoreCase)) { return @($Response.Headers[$key])[0] }
    }
    return $null
}

# --- manifest ---------------------------------------------------------------------------------------------------
if (-not (Test-Path -LiteralPath $Manifest -PathType Leaf)) { throw "Manifest '$Manifest' not found." }
$models = Get-PropertyValue (Get-Content -Raw -LiteralPath $Manifest | ConvertFrom-Json) 'models'
$entry = if ($null -ne $models) { Get-PropertyValue $models $Model } else { $null }
if ($null -eq $entry) { throw "Model '$Model' is not in $Manifest." }
$repo = [string] $entry.repo
$revision = if (Get-PropertyValue $entry 'revision') { [string] $entry.revision } else { 'main' }
$files = @(foreach ($f in @($entry.files)) {
    $path = [string] $f.path
    $name = if (Get-PropertyValue $f 'name') { [string] $f.name } else { $path.Split('/')[-1] }
    $pinned = ConvertTo-Sha256 (Get-PropertyValue $f 'sha256')
    if ((Get-PropertyValue $f 'sha256') -and -not $pinned) { throw "models.json: the sha256 of '$path' is not 64 hex digits." }
    if ($name -match '[\\/]' -or $name.StartsWith('.') -or $name -eq 'SHA256SUMS' -or $path.StartsWith('/') -or ("/$path/" -like '*/../*')) {
        throw "models.json: unsafe entry '$path' -> '$name'."
    }
    [pscustomobject]@{ Path = $path; Name = $name; Pinned = $pinned }
})

if (-not $Directory) { $Directory = Join-Path $PSScriptRoot ([string] $entry.folder) }
$null = New-Item -ItemType Directory -Force -Path $Directory
$Directory = (Resolve-Path -LiteralPath $Directory).ProviderPath
$sumsPath = Join-Path $Directory 'SHA256SUMS'

# --- SHA256SUMS (sha256sum format: "<hash>  <name>") --------------------------------------------------------------
$sums = [System.Collections.Generic.SortedDictionary[string, string]]::new([StringComparer]::Ordinal)
if (Test-Path -LiteralPath $sumsPath -PathType Leaf) {
    foreach ($line in [System.IO.File]::ReadAllLines($sumsPath)) {
        if ($line -match '^([0-9a-fA-F]{64}) [ *](.+)$') { $sums[$Matches[2]] = $Matches[1].ToLowerInvariant() }
    }
}

function Save-Sums {
    $text = -join @(foreach ($pair in $sums.GetEnumerator()) { "$($pair.Value)  $($pair.Key)`n" })
    $temporary = "$sumsPath.tmp"
    [System.IO.File]::WriteAllText($temporary, $text, [System.Text.UTF8Encoding]::new($false))
    Move-Item -LiteralPath $temporary -Destination $sumsPath -Force
}

function Set-Sum([string] $Name, [string] $Sha256) {
    if ($sums.ContainsKey($Name) -and $sums[$Name] -eq $Sha256) { return }
    $sums[$Name] = $Sha256
    Save-Sums
}

function Remove-Sum([string] $Name) {
    if ($sums.Remove($Name)) { Save-Sums }
}

# --- what the Hub says ---------------------------------------------------------------------------------------------
# HEAD without following redirects: the Hub sends X-Linked-Etag (sha256) and X-Linked-Size of an LFS file on the 302
# that points to the CDN; a small non-LFS file answers 200 with its Content-Length and no sha256.
function Get-HeadInfo([string] $Url) {
    $sha256 = $null
    $size = $null
    for ($hop = 0; $hop -lt 10; $hop++) {
        try {
            # -SkipHttpErrorCheck + -ErrorAction SilentlyContinue: the 302 comes back as a response instead of an error.
            $response = Invoke-WebRequest -Method Head -Uri $Url -Headers $authHeaders -MaximumRedirection 0 -SkipHttpErrorCheck `
                -TimeoutSec 60 -ErrorAction SilentlyContinue
        }
        catch {
            Write-Verbose "HEAD $Url failed: $($_.Exception.Message)"
            return $null
        }
        if ($null -eq $response) { return $null }
        if (-not $sha256) { $sha256 = ConvertTo-Sha256 (Get-HeaderValue $response 'X-Linked-Etag') }
        if ($null -eq $size) { $linked = Get-HeaderValue $response 'X-Linked-Size'; if ($linked) { $size = [long] $linked } }
        $status = [int] $response.StatusCode
        $location = Get-HeaderValue $response 'Location'
        if ($status -ge 300 -and $status -lt 400 -and $location) {
            $Url = [Uri]::new([Uri] $Url, [string] $location).AbsoluteUri
            continue
        }
        if ($status -ge 400) { return $null }
        if ($null -eq $size) { $length = Get-HeaderValue $response 'Content-Length'; if ($length) { $size = [long] $length } }
        return [pscustomobject]@{ Sha256 = $sha256; Size = $size }
    }
    return $null
}

# POST /api/models/{repo}/paths-info/{revision}: lfs.oid is the sha256 of an LFS file. Asked once; a plain mirror has no API.
$script:pathsInfo = $null
function Get-ApiInfo([string] $Path) {
    if ($null -eq $script:pathsInfo) {
        $script:pathsInfo = @{}
        try {
            $body = @{ paths = @($files | ForEach-Object { $_.Path }); expand = $false } | ConvertTo-Json
            $uri = "$endpoint/api/models/$repo/paths-info/$([Uri]::EscapeDataString($revision))"
            $result = Invoke-RestMethod -Method Post -Uri $uri -Headers $authHeaders -Body $body -ContentType 'application/json' -TimeoutSec 60
            foreach ($item in @($result)) {
                $lfs = Get-PropertyValue $item 'lfs'
                $script:pathsInfo[[string] $item.path] = [pscustomobject]@{
                    Sha256 = if ($null -ne $lfs) { ConvertTo-Sha256 (Get-PropertyValue $lfs 'oid') } else { $null }
                    Size   = if ($null -ne $lfs) { [long] $lfs.size } else { [long] $item.size }
                }
            }
        }
        catch {
            Write-Verbose "paths-info is not available: $($_.Exception.Message)"
        }
    }
    return $script:pathsInfo[$Path]
}

function Get-RemoteInfo([string] $Path, [string] $Url) {
    $info = Get-HeadInfo $Url
    if ($null -eq $info -or -not $info.Sha256) {
        $api = Get-ApiInfo $Path
        if ($null -ne $api -and ($api.Sha256 -or $null -eq $info)) { $info = $api }
    }
    return $info
}

# --- per file ------------------------------------------------------------------------------------------------------
Write-Host "Model ${Model}: $repo@$revision from $endpoint into $Directory"
$failed = [System.Collections.Generic.List[string]]::new()
foreach ($file in $files) {
    $dest = Join-Path $Directory $file.Name
    $url = "$endpoint/$repo/resolve/$([Uri]::EscapeDataString($revision))/$($file.Path)"
    $recorded = if ($sums.ContainsKey($file.Name)) { $sums[$file.Name] } else { $null }
    $known = if ($file.Pinned) { $file.Pinned } else { $recorded }

    if (Test-Path -LiteralPath $dest -PathType Leaf) {
        $actual = Get-Sha256 $dest
        if ($known) {
            if ($actual -eq $known) {
                Set-Sum $file.Name $actual
                Write-Host "ok       $($file.Name) (sha256 verified)"
                continue
            }
            Write-Warning "$($file.Name): sha256 $actual, expected $known; downloading it again"
            Remove-Item -LiteralPath $dest -Force
            Remove-Sum $file.Name
        }
        else {
            $remote = Get-RemoteInfo $file.Path $url
            if ($null -eq $remote) {
                Write-Warning "$($file.Name) is present but the Hub could not be asked for its checksum; keeping it unverified"
                continue
            }
            if ((-not $remote.Sha256) -and ($null -eq $remote.Size)) {
                Write-Warning "$($file.Name) is present; the Hub gives neither a sha256 nor a size for it; keeping it unverified"
                continue
            }
            if (($remote.Sha256 -and $actual -eq $remote.Sha256) -or ((-not $remote.Sha256) -and (Get-Item -Force -LiteralPath $dest).Length -eq $remote.Size)) {
                Set-Sum $file.Name $actual
                Write-Host "ok       $($file.Name) (present, matches the Hub)"
                continue
            }
            Write-Warning "$($file.Name) is present but differs from the Hub; downloading it again"
            Remove-Item -LiteralPath $dest -Force
        }
    }

    $remote = Get-RemoteInfo $file.Path $url
    $expected = if ($file.Pinned) { $file.Pinned } elseif ($null -ne $remote) { $remote.Sha256 } else { $null }
    $expectedSize = if ($null -ne $remote) { $remote.Size } else { $null }
    $temporary = Join-Path $Directory ".$($file.Name).$([Guid]::NewGuid().ToString('N').Substring(0, 8)).part"
    Write-Host "download $($file.Name) <- $url"
    try {
        try {
            Invoke-WebRequest -Uri $url -OutFile $temporary -Headers $authHeaders -MaximumRetryCount $retries -RetryIntervalSec 2 `
                -TimeoutSec $timeoutSec
        }
        catch {
            Write-Warning "downloading $($file.Name) failed: $($_.Exception.Message)"
            $failed.Add($file.Name)
            continue
        }

        $actual = Get-Sha256 $temporary
        $size = (Get-Item -Force -LiteralPath $temporary).Length
        if ($null -ne $expectedSize -and $size -ne $expectedSize) {
            Write-Warning "$($file.Name): received $size bytes, expected $expectedSize; discarded"
            $failed.Add($file.Name)
            continue
        }
        if ($expected -and $actual -ne $expected) {
            $source = if ($file.Pinned) { ' (pinned in models.json)' } else { '' }
            Write-Warning "$($file.Name): sha256 $actual does not match the expected $expected$source; discarded"
            $failed.Add($file.Name)
            continue
        }

        Move-Item -LiteralPath $temporary -Destination $dest -Force
        Set-Sum $file.Name $actual
        if ($expected) { Write-Host "ok       $($file.Name) ($size bytes, sha256 verified)" }
        elseif ($null -ne $expectedSize) { Write-Host "ok       $($file.Name) ($size bytes, size verified; the server gives no sha256 for it (normal for small non-LFS files); sha256 recorded in SHA256SUMS)" }
        else { Write-Warning "$($file.Name) ($size bytes) could not be verified: the server gave neither a sha256 nor a size" }
    }
    finally {
        if (Test-Path -LiteralPath $temporary) { Remove-Item -LiteralPath $temporary -Force }
    }
}

if ($failed.Count -gt 0) {
    Write-Error "FAILED: $($failed -join ', ') (nothing was kept for these files; run the script again)" -ErrorAction Continue
    exit 1
}
Write-Host "Done: $Directory (check later with: Get-FileHash, or 'sha256sum -c SHA256SUMS' where available)"
