// Package odk brings ODK encrypted submissions into an Enquête archive:
// it reads them as ODK Briefcase keeps them (instances/<uuid…>/ holding
// the clear submission.xml manifest, submission.xml.enc and NAME.enc
// media), decrypts them in memory as ODK's encrypted-form specification
// says (decrypt.go), checks their element signature, reads their answers
// against the form (an XForm, converted by xform.go, or an XLSForm), and
// writes each as a response sealed to the archive's recipients, its media
// as attachments ([Import]). FORMAT.md, "Imported records", says what the
// records hold.
package odk
