<?php
// Sign a reader in to the comments, from a news site's server (PHP 7.3+, no packages).
//
//     php sign.php SECRET USER_ID "Display Name" [email]   // prints a payload
//
// In a real site, call comments_sso_payload(...) while rendering a page for a logged-in user
// and put the result, escaped with htmlspecialchars(), on the embed:
// <div id="comments" data-comments-sso="PAYLOAD">.

function comments_sso_payload(string $secret, string $user_id, string $name,
                              string $email = ''): string {
    $claims = ['id' => $user_id, 'name' => $name, 'email' => $email,
               'exp' => time() + 300, 'nonce' => bin2hex(random_bytes(24))];
    $json = json_encode($claims, JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
    $body = rtrim(strtr(base64_encode($json), '+/', '-_'), '=');
    return $body . '.' . hash_hmac('sha256', $body, $secret);
}

if (PHP_SAPI === 'cli' && realpath($argv[0]) === __FILE__) {
    echo comments_sso_payload($argv[1], $argv[2], $argv[3], $argv[4] ?? ''), "\n";
}
