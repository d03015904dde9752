// Package email is the desk's email channel: it translates between mail
// servers and the desk. The SMTP listener takes mail for the desk's
// mailboxes and answers 250 only once the desk has committed it; the
// sender runs the outbox's email jobs, building each reply and
// acknowledgement and handing it to its mailbox's relay. Which
// conversation an email belongs to, who its customer is and whether it
// deserves an acknowledgement are the desk's rules, not this package's.
package email
