#!/bin/sh
# demo.sh BUILD - walks through printgate's workflow on a demo collateral
# repository in BUILD/demo: a print tag refused with its message, the
# review as the salespeople see it, their decisions, the release, and the
# audit trail.  Non-interactive; it cleans up its previous run first.
set -eu
build=$(cd "${1:-build}" && pwd)
demo="$build/demo"
ctl="$build/printgatectl"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 | sed 's/^/  /' || true; }

rm -rf "$demo"
mkdir -p "$demo/home"
export HOME="$demo/home" GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR REMOTE_USER GL_USERNAME || true

say "A collateral repository on the git server, with printgate's hook"
git -c init.defaultBranch=main init -q --bare "$demo/collateral.git"
printf 'https://hooks.slack.invalid/services/T0/B0/demo\n' >"$demo/slack-sales.url"
chmod 600 "$demo/slack-sales.url"
cat >"$demo/printgate.conf" <<CONF
# The demo's configuration: see conf/printgate.conf for every setting.
repository = "$demo/collateral.git";
state_dir  = "$demo/state";
pusher_env = [ "REMOTE_USER" ];
people = (
  { id = "alice"; name = "Alice Ng";     email = "alice@example.com"; slack = "U04ALICE"; },
  { id = "bob";   name = "Bob Brandt";   email = "bob@example.com";   slack = "U04BOB"; },
  { id = "carol"; name = "Carol Diaz";   email = "carol@example.com"; slack = "U04CAROL"; },
  { id = "dave";  name = "Dave Okafor";  email = "dave@example.com";  slack = "U04DAVE"; },
  { id = "erin";  name = "Erin Tan";     email = "erin@example.com";  slack = "U04ERIN"; },
  { id = "rita";  name = "Rita Ruiz";    email = "rita@example.com"; },
  { id = "mark";  name = "Mark Meyer";   email = "mark@example.com"; }
);
groups = {
  sales-emea = [ "alice", "bob", "carol" ];
  sales-apac = [ "erin" ];
  brand      = [ "dave" ];
  release    = [ "rita" ];
};
release_managers = "release";
rules = (
  { name = "emea"; paths = [ "brochures/emea/**", "datasheets/**", "price-sheets/**" ];
    group = "sales-emea"; required = 2; },
  { name = "apac"; paths = [ "brochures/apac/**" ]; group = "sales-apac"; required = 1; },
  { name = "big-deal"; paths = [ "**" ]; group = "brand"; required = 1;
    when = "Opportunity >= 2000000"; }
);
notify = ( { name = "sales"; type = "slack"; url_file = "slack-sales.url"; } );
CONF
show "$ctl" -c "$demo/printgate.conf" check
show "$ctl" -c "$demo/printgate.conf" install-hook

say "Mark, a marketer, commits the Q1 collateral"
git -c init.defaultBranch=main init -q "$demo/work"
cd "$demo/work"
git remote add origin "$demo/collateral.git"
git config user.name "Mark Meyer"
git config user.email mark@example.com
mkdir -p brochures/emea brochures/apac datasheets price-sheets
printf 'Widget Pro: built for EMEA field teams.\n' >brochures/emea/widget-pro.md
printf 'Widget Pro: now in APAC.\n' >brochures/apac/widget-pro.md
printf 'Widget Pro\nWeight: 1.2 kg\nWarranty: 3 years\n' >datasheets/widget-pro.txt
printf 'Widget Pro, list price: EUR 1,990\n' >price-sheets/2027-q1.txt
git add . && git commit -q -m "Q1 collateral: Widget Pro"
show git push -q origin main

say "Who must review what? (the 'who to call' list)"
show "$ctl" -c "$demo/printgate.conf" who brochures/emea/widget-pro.md price-sheets/2027-q1.txt

say "Rita, the release manager, tags it for print: refused, and told why"
git config user.name "Rita Ruiz"
git config user.email rita@example.com
git tag -a print/2027-q1-widget-pro -m "Q1 Widget Pro

Print-By: 2027-01-10
Opportunity: 2500000"
printf '$ REMOTE_USER=rita git push origin print/2027-q1-widget-pro\n'
REMOTE_USER=rita git push origin print/2027-q1-widget-pro 2>&1 | sed 's/^/  /' || true

say "The review, as the salespeople and the marketer can see it"
show "$ctl" -c "$demo/printgate.conf" status print/2027-q1-widget-pro

say "The salespeople decide (here recorded by an administrator on their behalf)"
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro --as alice approve
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro --as erin approve --comment "APAC brochure reads well"
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro --as bob changes-required --comment "price sheet: EUR 1,990 is last year's price"

say "Mark fixes the price sheet; Rita tags the fixed version"
git config user.name "Mark Meyer"
git config user.email mark@example.com
printf 'Widget Pro, list price: EUR 2,090\n' >price-sheets/2027-q1.txt
git commit -q -a -m "Q1 price sheet: 2027 price"
show git push -q origin main
git config user.name "Rita Ruiz"
git config user.email rita@example.com
git tag -a print/2027-q1-widget-pro-v2 -m "Q1 Widget Pro, fixed price

Print-By: 2027-01-10
Opportunity: 2500000"
printf '$ REMOTE_USER=rita git push origin print/2027-q1-widget-pro-v2\n'
REMOTE_USER=rita git push origin print/2027-q1-widget-pro-v2 2>&1 | sed 's/^/  /' || true
echo "  (Erin's APAC approval carried over: those files did not change."
echo "   The price sheet did, so the EMEA rule is reviewed again.)"

say "Approvals of the fixed version"
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro-v2 --as bob approve --comment "price is right now"
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro-v2 --as carol approve
show "$ctl" -c "$demo/printgate.conf" decide print/2027-q1-widget-pro-v2 --as dave approve-with-changes --comment "logo 5% larger next time"

say "Rita pushes again: released"
printf '$ REMOTE_USER=rita git push origin print/2027-q1-widget-pro-v2\n'
REMOTE_USER=rita git push origin print/2027-q1-widget-pro-v2 2>&1 | sed 's/^/  /'

say "The audit trail lives in the repository"
show "$ctl" -c "$demo/printgate.conf" log
show "$ctl" -c "$demo/printgate.conf" verify
show git --git-dir="$demo/collateral.git" log --format='%h %ad %s' --date=iso refs/notes/printgate

say "Point printgate at a real repository"
cat <<TXT
  1. Write /etc/printgate/printgate.conf (start from conf/printgate.conf):
     repository, people, groups, release_managers, rules.
  2. printgatectl -c /etc/printgate/printgate.conf check
  3. printgatectl -c /etc/printgate/printgate.conf install-hook
  4. Make sure the git server passes the pusher's name (GL_USERNAME,
     REMOTE_USER or USER) to hooks.
  The demo's files are in $demo; running make demo again starts over.
TXT
