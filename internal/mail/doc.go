// Package mail is the email channel's reading and writing desk: it turns the
// bytes of an inbound RFC 5322/MIME message into a Message the desk can thread,
// classify and show, and turns an Outgoing reply into the bytes a sender hands
// to SMTP.
//
// It is a leaf library. It knows nothing of conversations, customers, storage
// or sending; the desk's intake decides what a Message means, and the job
// runner decides when built bytes leave. What it does know is how mail written
// in Israel really looks: Hebrew in UTF-8, windows-1255 and ISO-8859-8(-i),
// Outlook and Gmail quoting in both languages, out-of-office replies that say
// "מחוץ למשרד", and a ticket token "[#1234]" in the subject.
package mail
