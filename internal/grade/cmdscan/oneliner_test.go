package cmdscan

import (
	"slices"
	"testing"
)

// Encoded one-liners in every language, as droppers write them.
var oneLinerFires = []string{
	`python -c "import base64;exec(base64.b64decode('aW1wb3J0IG9z'))"`,
	`python3 -c 'exec(__import__("zlib").decompress(__import__("base64").b64decode("eJzLSM3JyQcABiwCFQ==")))'`,
	`/usr/bin/python3 -c "import marshal;exec(marshal.loads(bytes.fromhex('e3000000')))"`,
	`python2 -c "exec 'vzcbeg bf'.decode('rot13')"`,
	`python3 -c "import codecs;exec(codecs.decode('vzcbeg bf','rot13'))"`,
	`python -c "exec(''.join(map(chr,[105,109,112,111,114,116])))"`,
	`python -c "exec(chr(105)+chr(109)+chr(112)+chr(111)+chr(114))"`,
	`python3 -c "exec('\x69\x6d\x70\x6f\x72\x74\x20\x6f\x73')"`,
	`python3 -c "$(echo aW1wb3J0IG9z | base64 -d)"`,
	`perl -MMIME::Base64 -e 'eval(decode_base64("c3lzdGVtKCJpZCIp"))'`,
	`perl -e 'eval pack("H*","73797374656d282269642229")'`,
	`perl -e '$_="flfgrz";tr/a-zA-Z/n-za-mN-ZA-M/;system($_)'`,
	`ruby -e 'eval(Base64.decode64("c3lzdGVtICJpZCI="))' -rbase64`,
	`ruby -rbase64 -e 'eval("c3lzdGVt".unpack("m0").first)'`,
	`php -r 'eval(base64_decode("c3lzdGVtKCJpZCIpOw=="));'`,
	`php -r 'eval(gzinflate(base64_decode("K64sLlE=")));'`,
	`php -r 'system(str_rot13("vq"));'`,
	`node -e 'eval(Buffer.from("Y29uc29sZS5sb2c=","base64").toString())'`,
	`nodejs -e "require('child_process').execSync(Buffer.from('aWQ=','base64').toString())"`,
	`node -e 'new Function(atob("cmV0dXJu"))()'`,
	`echo aW1wb3J0IG9zO29zLnN5c3RlbSgiaWQiKQ== | base64 -d | python3`,
	`echo 73797374656d | xxd -r -p | perl`,
	`* * * * * root echo cHJpbnQ= | base64 --decode | /usr/bin/python3`,
}

// Interpreter one-liners that admins and packages run.
var oneLinerSilent = []string{
	`python3 -c "import base64,sys; print(base64.b64decode(sys.argv[1]).decode())" aGk=`,
	`python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])'`,
	`python3 -c 'import subprocess; subprocess.run(["systemctl","status","nginx"])'`,
	`python3 -c "import sys; print(sys.version)"`,
	`perl -MMIME::Base64 -ne 'print decode_base64($_)' < token.b64`,
	`perl -e 'print eval { 1 }'`,
	`perl -pi -e 's/foo/bar/' /etc/app.conf`,
	`php -r 'echo base64_decode("aGk=");'`,
	`php -r 'copy("https://getcomposer.org/installer", "composer-setup.php");'`,
	`node -e 'console.log(Buffer.from("aGk=","base64").toString())'`,
	`node -e "console.log(require('./package.json').version)"`,
	`ruby -e 'puts Base64.decode64("aGk=")' -rbase64`,
	`echo aGk= | base64 -d > /tmp/token`,
	`base64 -d cert.b64 | openssl x509 -noout -text`,
	`python3 -m pip install --user requests`,
	`perl -e 'system("ls")'`,
}

func TestEncodedOneLiners(t *testing.T) {
	for _, l := range oneLinerFires {
		if got := Scan(l); !slices.Contains(IDs(got), indEncodedOneLiner) {
			t.Errorf("Scan(%q) = %v, want %s", l, IDs(got), indEncodedOneLiner)
		}
	}
	for _, l := range oneLinerSilent {
		for _, m := range Scan(l) {
			if m.ID == indEncodedOneLiner || m.Severity >= 2 {
				t.Errorf("Scan(%q) matched %s (%s) on %q", l, m.ID, m.Severity, m.Fragment)
			}
		}
	}
}
