#!/bin/sh
# collectd NotificationExec hook of the demo: one line per notification.
# stdin: "Key: value" header lines, a blank line, then the message.
out=$1
sev='' inst='' ti='' msg=''
while IFS= read -r line; do
	case $line in
	Severity:*) sev=${line#Severity: } ;;
	PluginInstance:*) inst=${line#PluginInstance: } ;;
	TypeInstance:*) ti=${line#TypeInstance: } ;;
	'') IFS= read -r msg; break ;;
	esac
done
printf '%s %-8s %s %s: %s\n' "$(date +%T)" "$sev" "$inst" "$ti" "$msg" >>"$out"
