package crypto_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"

	"filippo.io/age"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// A record is sealed to the project's recipients and opened by the lab
// with the archive identity.
func ExampleSeal() {
	identity, err := age.GenerateHybridIdentity() // the lab's archive key
	if err != nil {
		log.Fatal(err)
	}
	recipients, err := crypto.ParseRecipients([]string{identity.Recipient().String()})
	if err != nil {
		log.Fatal(err)
	}
	sealed, err := crypto.Seal([]byte(`{"format":"enquete.record"}`), recipients...)
	if err != nil {
		log.Fatal(err)
	}
	name := crypto.FileName(sealed) // <64 hex>.age, where the file is stored
	fmt.Println(len(name), crypto.CheckName(name, sealed) == nil)

	plain, err := crypto.Open(bytes.NewReader(sealed), identity)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(plain))
	// Output:
	// 68 true
	// {"format":"enquete.record"}
}

// Open's errors say what went wrong, in the user's language.
func ExampleOpen() {
	sealedTo, _ := age.GenerateX25519Identity()
	other, _ := age.GenerateX25519Identity()
	sealed, _ := crypto.Seal([]byte(`{}`), sealedTo.Recipient())

	_, err := crypto.Open(bytes.NewReader(sealed), other)
	var le *locales.Error
	if errors.As(err, &le) && le.Key == crypto.KeyWrongIdentity {
		msg, hints := locales.Localize(err, "fr")
		fmt.Println(msg)
		fmt.Println(hints[0])
	}
	_, err = crypto.Open(bytes.NewReader(sealed[:len(sealed)-1]), sealedTo)
	fmt.Println(err)
	// Output:
	// aucune identité ne correspond : le fichier a été scellé pour d'autres clés
	// utilisez le fichier d'identité de la clé d'archive de ce projet (-i)
	// the file is truncated: it ends before its last encrypted chunk
}
