package main

// examples are the command lines `enquete help COMMAND` shows, by command
// name. help_test.go checks that every command has one and that each
// parses with the command's own flags: a new command adds its line here.
var examples = map[string][]string{
	"interview":         {"enquete interview", "enquete interview survey --answers answers.json"},
	"form check":        {"enquete form check survey.xlsx", "enquete form check --anonymous survey.md"},
	"form preview":      {"enquete form preview survey.xlsx"},
	"form expr":         {"enquete form expr '1 + 2'", "enquete form expr --form survey.xlsx --answers answers.json '${age} >= 18'"},
	"keys new":          {"enquete keys new -o lab.key", "enquete keys new --signing lab-2027 -o lab-2027.key"},
	"keys split":        {"enquete keys split -i lab.key -k 2 -C custodians.txt -o shares/"},
	"keys join":         {"enquete keys join -i ana.key -o lab.key shares/share-1.age shares/share-2.age"},
	"passphrase change": {"enquete passphrase change"},
	"project new":       {"enquete project new --form survey.xlsx -R lab.pub --archive https://archive.example.org --archive-key KEY -o survey.enquete"},
	"project add":       {"enquete project add survey.enquete --enroll ABCD-EFGH-JKLM-NPQR-STUV"},
	"project list":      {"enquete project list --json"},
	"project rotate":    {"enquete project rotate --old-key lab.key --new-key lab-2027.key -o rotation.txt"},
	"drafts rm":         {"enquete drafts rm 3f2a --yes"},
	"drafts":            {"enquete drafts"},
	"sent":              {"enquete sent survey"},
	"outbox":            {"enquete outbox --json"},
	"receipts":          {"enquete receipts -o receipts.txt"},
	"sync":              {"enquete sync", "enquete sync --to /media/stick", "enquete sync --from /media/stick"},
	"testify":           {"enquete testify --project survey.enquete", "enquete testify --send kept/ --archive https://archive.example.org"},
	"archive serve":     {"enquete archive serve --dir /srv/enquete --listen 8470", "enquete archive serve --store s3://bucket/enquete --listen 8470 --tls-cert cert.pem --tls-key key.pem"},
	"archive copy":      {"enquete archive copy /srv/enquete s3://bucket/enquete"},
	"archive import":    {"enquete archive import /media/stick --dir /srv/enquete"},
	"import odk":        {"enquete import odk --key ODK_PRIVATE_KEY.pem --form household.xml -R lab.pub --archive /srv/enquete briefcase/forms/household"},
	"archive key":       {"enquete archive key --dir /srv/enquete"},
	"devices add":       {"enquete devices add --archive /srv/enquete --name laptop-3"},
	"devices list":      {"enquete devices list --archive /srv/enquete"},
	"devices revoke":    {"enquete devices revoke --archive /srv/enquete laptop-3"},
	"export":            {"enquete export --archive /srv/enquete -i lab.key -o dataset/", "enquete export --archive /srv/enquete -i lab.key --format parquet --since-last -o dataset/"},
	"review":            {"enquete review --archive /srv/enquete -i lab.key", "enquete review --archive /srv/enquete -i lab.key uuid:8183a168 --state approved --comment 'called back'"},
	"verify":            {"enquete verify --archive /srv/enquete -i lab.key --receipts receipts.txt"},
	"help":              {"enquete help form check"},
	"completion":        {"source <(enquete completion bash)", "enquete completion fish | source"},
}
