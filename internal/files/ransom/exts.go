package ransom

import (
	"path"
	"strings"
)

// known are extensions of formats a server holds (many are compressed or
// encrypted by design and look random): a file with one of them is never
// counted as a ransomware's extension.
var known = setOf(`7z a aac abw ai apk appimage arc arj asc asm avi avif b64 bak bin bmp br bz2 c cab cache cer cfg
class conf cpio crt crx csr css csv cur dat db deb der dex dll dmg doc docx dylib ear eot epub exe flac flv gem gif gpg
gz gzip h heic hpp htm html ico ics idx img index iso jar java jks jpeg jpg js json jsonl key keystore kdbx lock log
lz lz4 lzma lzo m4a mkv mo mov mp3 mp4 mpeg mpg msi o obj odp ods odt ogg opus otf p12 pack pdf pem pfx pgp php pickle
pkl png ppt pptx ps psd pub pyc pyo qcow2 rar raw rdb rpm rtf sig so sqlite sqlite3 svg svgz swf sys tar tbz tbz2
tga tgz tif tiff tlz ttf txt txz vdi vhd vhdx vmdk war wasm wav webm webp whl wim wma wmv woff woff2 xls xlsx xml xpi
xz z zip zipx zst zstd snap squashfs gpg~ tmp swp part crdownload torrent ldb sst wal journal ibd frm myd myi ndb
aof rdb mdb accdb parquet avro orc feather h5 hdf5 npy npz pt pth onnx safetensors ckpt bundle dmp core
pak bsp vpk mca nbt dat_old db-wal db-shm db-journal so.0 ko ko.xz ko.zst efi img.gz initrd vmlinuz`)

func setOf(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// unknownExt returns the lower-cased extension of name when it looks like
// an extension (1 to 16 letters or digits, not all digits) that no known
// format uses; "" otherwise.
func unknownExt(name string) string {
	e := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	if e == "" || len(e) > 16 || e == strings.ToLower(strings.TrimPrefix(name, ".")) || known[e] {
		return ""
	}
	digits := true
	for _, c := range e {
		switch {
		case c >= '0' && c <= '9':
		case c >= 'a' && c <= 'z', c == '_' || c == '-':
			digits = false
		default:
			return ""
		}
	}
	if digits {
		return "" // rotated logs, versions, .so.1
	}
	return e
}
