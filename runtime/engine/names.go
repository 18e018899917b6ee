package engine

import (
	"crypto/rand"
	"encoding/hex"
	"math/big"
	"regexp"
)

// validName is Docker's rule for container names.
var validName = regexp.MustCompile(`^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)

// Word lists for generated names, in Docker's adjective_surname style. The
// surnames are scientists and engineers whose work computing stands on.
var (
	adjectives = []string{
		"admiring", "affectionate", "agitated", "amazing", "angry", "awesome",
		"blissful", "bold", "brave", "busy", "charming", "clever", "compassionate",
		"competent", "confident", "cool", "dazzling", "determined", "eager",
		"ecstatic", "elastic", "elated", "elegant", "epic", "exciting", "fervent",
		"festive", "focused", "friendly", "frosty", "funny", "gallant", "gifted",
		"goofy", "gracious", "happy", "hopeful", "hungry", "inspiring", "intelligent",
		"jolly", "jovial", "keen", "kind", "laughing", "loving", "lucid", "magical",
		"modest", "musing", "mystifying", "nice", "nifty", "nostalgic", "objective",
		"optimistic", "peaceful", "pensive", "practical", "priceless", "quirky",
		"quizzical", "relaxed", "reverent", "romantic", "serene", "sharp", "silly",
		"sleepy", "stoic", "strange", "suspicious", "sweet", "tender", "thirsty",
		"trusting", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly",
		"wonderful", "youthful", "zealous", "zen",
	}
	surnames = []string{
		"agnesi", "allen", "babbage", "backus", "bardeen", "bartik", "bell",
		"berners-lee", "boole", "borg", "brattain", "cerf", "church", "clarke",
		"codd", "conway", "cray", "curie", "dijkstra", "easley", "engelbart",
		"euler", "feynman", "floyd", "goldberg", "goodall", "hamilton", "hawking",
		"hertz", "hodgkin", "hoover", "hopper", "hypatia", "jackson", "jennings",
		"johnson", "kare", "kay", "keller", "kilby", "knuth", "kowalevski",
		"lamarr", "lamport", "liskov", "lovelace", "mayer", "mccarthy", "meitner",
		"minsky", "moore", "morse", "newton", "noether", "noyce", "pascal",
		"perlman", "pike", "ritchie", "shannon", "shockley", "sinoussi", "stallman",
		"sutherland", "swartz", "tesla", "thompson", "torvalds", "turing", "wilson",
		"wing", "wozniak", "wu", "yalow", "yonath",
	}
)

func pick(words []string) string {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
	if err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return words[n.Int64()]
}

// generateName returns a random name like "brave_lovelace"; after many
// collisions Docker appends a digit, and so do we.
func generateName(taken func(string) bool) string {
	for i := 0; ; i++ {
		name := pick(adjectives) + "_" + pick(surnames)
		if i > 10 {
			name += pick([]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
		}
		// "boring_wozniak" is not boring (Docker's own rule, kept in spirit).
		if name == "boring_wozniak" {
			continue
		}
		if !taken(name) {
			return name
		}
	}
}

// newID returns a random 64-hex-digit id.
func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
