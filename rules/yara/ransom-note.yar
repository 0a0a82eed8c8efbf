/*
 * Vigil's own rules: ransom notes left next to encrypted files.
 */

rule Vigil_Ransom_Note
{
    meta:
        description = "Ransom note: says files were encrypted and asks for payment to decrypt them"
        family = "ransom-note"
        severity = "critical"
        confidence = "high"
        technique = "T1486"
    strings:
        $e1 = "have been encrypted" nocase
        $e2 = "has been encrypted" nocase
        $e3 = "were encrypted" nocase
        $e4 = "are encrypted" nocase
        $e5 = "your network has been penetrated" nocase
        $p1 = "bitcoin" nocase
        $p2 = "monero" nocase
        $p3 = /\bBTC\b/
        $p4 = /\bXMR\b/
        $p5 = ".onion" nocase
        $p6 = "tor browser" nocase
        $d1 = "decrypt" nocase
        $d2 = "decryption" nocase
        $d3 = "private key" nocase
        $d4 = "recover your files" nocase
    condition:
        filesize < 256KB and any of ($e*) and any of ($p*) and any of ($d*)
}
